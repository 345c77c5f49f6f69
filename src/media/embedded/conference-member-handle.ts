import type { ConferenceMember, PlaySource } from '../types.js'
import { MemberState, type MixerMember } from './conference/index.js'
import { PromptPlayback } from './prompt-playback.js'

/**
 * The engine-neutral ConferenceMember over a mixer member. `hold(wait)` loads the wait
 * audio in the background (silence until it is ready) and loops it to the member.
 */
export class ConferenceMemberHandle implements ConferenceMember {
  private holdGeneration = 0

  constructor(
    private readonly member: MixerMember,
    private readonly loadWait: (source: PlaySource) => Promise<Int16Array>,
    private readonly onLeave: () => Promise<void>,
    private readonly onWaitError: (err: unknown) => void,
  ) {}

  get conference(): string {
    return this.member.room
  }

  mute(): void {
    this.member.mute()
  }

  unmute(): void {
    this.member.unmute()
  }

  deaf(): void {
    this.member.setDeaf(true)
  }

  undeaf(): void {
    this.member.setDeaf(false)
  }

  hold(wait?: PlaySource): void {
    this.member.hold()
    const generation = ++this.holdGeneration
    if (!wait) return
    this.loadWait(wait).then(
      (pcm) => {
        if (generation !== this.holdGeneration || this.member.state !== MemberState.Held) return
        const playback = new PromptPlayback(pcm, Infinity)
        this.member.hold(() => playback.nextFrame())
      },
      (err) => this.onWaitError(err),
    )
  }

  unhold(): void {
    this.holdGeneration++
    this.member.unhold()
  }

  leave(): Promise<void> {
    return this.onLeave()
  }
}
