import { LivecallError } from '../../errors/index.js'
import type { ConferenceJoinOptions, ConferenceMember } from '../types.js'
import type { MixerMember } from './conference/index.js'
import { ConferenceMemberHandle } from './conference-member-handle.js'
import type { EndpointFeatureHost } from './endpoint-feature-host.js'
import { OutgoingSource } from './rtp/outgoing-stream.js'

type ConferenceHost = Pick<
  EndpointFeatureHost,
  'id' | 'logger' | 'conferences' | 'loadAudio' | 'closing' | 'receivedTap' | 'isClosed' | 'detach' | 'currentSource' | 'refreshSource' | 'sendLocalFrame'
>

/**
 * An endpoint's seat in a conference (`MediaEndpoint.joinConference`): at most one room
 * at a time. Joining drops the endpoint's bridge (a conference replaces the two-party
 * call), feeds the endpoint's received audio to the room's mixer and sends the member's
 * mix-minus frame each tick, unless a prompt or live audio has the outgoing stream.
 * Leaving (the handle's leave, or the endpoint closing) gives the stream back.
 */
export class EndpointConference {
  private current: { member: MixerMember; handle: ConferenceMemberHandle; removeRx: () => void } | null = null

  constructor(private readonly host: ConferenceHost) {}

  /** In a room: the mix feeds the outgoing stream, and the endpoint cannot be bridged. */
  get joined(): boolean {
    return this.current !== null
  }

  join(name: string, opts: ConferenceJoinOptions): ConferenceMember {
    const host = this.host
    if (this.current) {
      throw new LivecallError('LIVECALL_ERR_MEDIA_STATE', `endpoint is already in conference ${this.current.member.room}`, 409)
    }
    host.detach()
    const member = host.conferences.join(name, host.id, opts, (frame) => this.sendMixFrame(frame))
    const removeRx = host.receivedTap.add((frame) => member.push(frame))
    const handle = new ConferenceMemberHandle(
      member,
      (source) => host.loadAudio(source, { signal: host.closing }),
      async () => this.leaveMember(member),
      (err) => host.logger.warn({ err, endpoint: host.id }, 'conference wait audio failed'),
    )
    this.current = { member, handle, removeRx }
    host.refreshSource()
    return handle
  }

  /** Leave the room, if in one (the endpoint is closing). */
  leave(): void {
    if (this.current) this.leaveMember(this.current.member)
  }

  private leaveMember(member: MixerMember): void {
    const c = this.current
    if (!c || c.member !== member) return
    this.current = null
    c.removeRx()
    this.host.conferences.leave(member)
    if (!this.host.isClosed()) this.host.refreshSource()
  }

  /** Conference tick: our mix-minus frame, unless a prompt or live audio has the stream. */
  private sendMixFrame(frame: Int16Array): void {
    if (this.host.currentSource() !== OutgoingSource.Mixer) return
    this.host.sendLocalFrame(frame, OutgoingSource.Mixer)
  }
}
