import { ConferenceMixer, type MixerMember, type MixerMemberOptions } from './conference/index.js'
import type { Pacer } from './pacer.js'

/**
 * The engine's conference rooms: the frame-level mixer (conference/) clocked by the
 * shared pacer. Per tick: mix every room once, then hand each member its mix-minus
 * frame to send. Registered with the pacer only while someone is in a conference.
 */
export class ConferenceHub {
  readonly mixer = new ConferenceMixer()
  private readonly senders = new Map<MixerMember, (frame: Int16Array) => void>()
  private removeClient: (() => void) | null = null

  constructor(
    private readonly pacer: Pacer,
    private readonly onSendError: (err: unknown) => void,
  ) {}

  join(room: string, memberId: string, opts: MixerMemberOptions, send: (frame: Int16Array) => void): MixerMember {
    const member = this.mixer.join(room, memberId, opts)
    this.senders.set(member, send)
    if (!this.removeClient) this.removeClient = this.pacer.add(this.tick)
    return member
  }

  leave(member: MixerMember): void {
    member.leave()
    this.senders.delete(member)
    if (this.senders.size === 0 && this.removeClient) {
      this.removeClient()
      this.removeClient = null
    }
  }

  private readonly tick = (): void => {
    this.mixer.tick()
    for (const [member, send] of this.senders) {
      try {
        send(member.pull())
      } catch (err) {
        this.onSendError(err)
      }
    }
  }
}
