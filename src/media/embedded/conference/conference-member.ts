import { LivecallError } from '../../../errors/livecall-error.js'

/** Frames played to a held member, one per tick; null or a throw = silence that tick. */
export type WaitFrameProvider = () => Int16Array | null

/**
 * Member lifecycle (mute/deaf are independent settings kept across hold):
 *
 *   Active ──hold(wait)──▶ Held ──unhold()──▶ Active
 *   Active|Held ──leave()──▶ Left   (every control call then throws LIVECALL_ERR_MEDIA_CLOSED;
 *                                    push() is ignored and pull() returns silence)
 */
export enum MemberState {
  Active = 'active',
  Held = 'held',
  Left = 'left',
}

export interface MixerMemberOptions {
  muted?: boolean
  deaf?: boolean
  /** moderators are spared by muteAll (SPEC §5 conf_mute_status) */
  moderator?: boolean
}

export const FRAME_SAMPLES = 160
/** frames a member may push ahead of the mixer (jitter between RTP arrival and the pacer) */
const MAX_QUEUED_FRAMES = 3

export interface MixerMemberStats {
  /** frames dropped because more than MAX_QUEUED_FRAMES arrived between two ticks */
  framesOverflowed: number
  /** ticks for which the member had pushed nothing (it contributed silence) */
  ticksWithoutAudio: number
  waitProviderErrors: number
}

/**
 * One participant of a mixer room. `push()` is what it says this tick, `pull()` what it
 * hears: the room's mix minus itself, computed by the room once per tick.
 */
export class MixerMember {
  private stateValue = MemberState.Active
  private mutedValue: boolean
  private deafValue: boolean
  private wait: WaitFrameProvider | null = null
  private readonly queue: Int16Array[] = []
  /** what this member said in the current tick (set by the room's tick), or null */
  current: Int16Array | null = null
  private heard: Int16Array = new Int16Array(FRAME_SAMPLES)
  readonly moderator: boolean
  private readonly counters = { framesOverflowed: 0, ticksWithoutAudio: 0, waitProviderErrors: 0 }

  constructor(
    readonly room: string,
    readonly id: string,
    opts: MixerMemberOptions,
    private readonly onLeave: (m: MixerMember) => void,
  ) {
    this.mutedValue = !!opts.muted
    this.deafValue = !!opts.deaf
    this.moderator = !!opts.moderator
  }

  get state(): MemberState {
    return this.stateValue
  }
  get muted(): boolean {
    return this.mutedValue
  }
  get deaf(): boolean {
    return this.deafValue
  }
  /** heard by the others this tick: active, not muted */
  get audible(): boolean {
    return this.stateValue === MemberState.Active && !this.mutedValue
  }
  /** hears the others: active, not deaf */
  get hearing(): boolean {
    return this.stateValue === MemberState.Active && !this.deafValue
  }

  stats(): MixerMemberStats {
    return { ...this.counters }
  }

  /**
   * What the member says (a 160-sample frame; copied, so the caller may reuse its buffer);
   * null = nothing. Up to MAX_QUEUED_FRAMES wait for the next ticks. Never throws.
   */
  push(frame: Int16Array | null): void {
    if (this.stateValue === MemberState.Left || !frame) return
    if (this.queue.length >= MAX_QUEUED_FRAMES) {
      this.queue.shift()
      this.counters.framesOverflowed++
    }
    const copy = new Int16Array(FRAME_SAMPLES)
    copy.set(frame.length > FRAME_SAMPLES ? frame.subarray(0, FRAME_SAMPLES) : frame)
    this.queue.push(copy)
  }

  /**
   * What the member hears, computed at the last tick (silence before the first tick).
   * A new array every tick, so it may be kept; calling twice in a tick gives the same one.
   * Never throws.
   */
  pull(): Int16Array {
    return this.heard
  }

  mute(): void {
    this.assertOpen()
    this.mutedValue = true
  }
  unmute(): void {
    this.assertOpen()
    this.mutedValue = false
  }
  setDeaf(deaf: boolean): void {
    this.assertOpen()
    this.deafValue = deaf
  }

  /** Muted and deaf, plus `wait` frames played to it, until unhold(). */
  hold(wait?: WaitFrameProvider): void {
    this.assertOpen()
    this.wait = wait ?? null
    this.stateValue = MemberState.Held
  }

  unhold(): void {
    this.assertOpen()
    this.wait = null
    this.stateValue = MemberState.Active
  }

  leave(): void {
    if (this.stateValue === MemberState.Left) return
    this.stateValue = MemberState.Left
    this.wait = null
    this.queue.length = 0
    this.current = null
    this.heard = new Int16Array(FRAME_SAMPLES)
    this.onLeave(this)
  }

  /** Tick step 1 (room only): take this tick's frame off the queue. */
  takeFrame(): void {
    const f = this.queue.shift() ?? null
    if (!f) this.counters.ticksWithoutAudio++
    this.current = f
  }

  /** Tick step 2 (room only): what the member hears this tick. */
  setHeard(frame: Int16Array): void {
    this.heard = frame
  }

  /** The wait-audio frame for a held member; silence if none or the provider fails. */
  waitFrame(): Int16Array {
    if (!this.wait) return new Int16Array(FRAME_SAMPLES)
    try {
      const f = this.wait()
      if (f && f.length === FRAME_SAMPLES) return f
      if (f) {
        const out = new Int16Array(FRAME_SAMPLES)
        out.set(f.subarray(0, FRAME_SAMPLES))
        return out
      }
    } catch {
      this.counters.waitProviderErrors++
    }
    return new Int16Array(FRAME_SAMPLES)
  }

  private assertOpen(): void {
    if (this.stateValue === MemberState.Left) {
      throw new LivecallError('LIVECALL_ERR_MEDIA_CLOSED', `member ${this.id} has left conference ${this.room}`, 409)
    }
  }
}
