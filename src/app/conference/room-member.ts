import type { ConferenceMember, PlaySource } from '../../media/types.js'

/**
 * Whether a member takes part in the room's audio. Held (SPEC §5 conf_hold_status) =
 * muted and deaf, with the optional wait audio played to it; unhold gives the mix back.
 *
 *   Active ──hold──► Held ──unhold──► Active
 */
export enum HoldState {
  Active = 'active',
  Held = 'held',
}

export interface RoomMemberInit {
  callSid: string
  /** jambonz startConferenceOnEnter: a moderator (FreeSWITCH mod_conference `moderator` flag) */
  moderator: boolean
  /** jambonz endConferenceOnExit (mod_conference `endconf`) */
  endConferenceOnExit: boolean
  /** jambonz joinMuted */
  muted?: boolean
}

/**
 * One call's seat in a room (app layer). The media seat (`media`) is attached once the
 * endpoint has joined the engine's room; `kicked` aborts when the room ends under the
 * member (another member's endConferenceOnExit), which ends that member's verb.
 */
export class RoomMember {
  readonly callSid: string
  readonly moderator: boolean
  readonly endConferenceOnExit: boolean
  private mediaValue: ConferenceMember | undefined
  private holdValue = HoldState.Active
  private holdWait: PlaySource | undefined
  private mutedValue: boolean
  private readonly kick = new AbortController()

  constructor(init: RoomMemberInit) {
    this.callSid = init.callSid
    this.moderator = init.moderator
    this.endConferenceOnExit = init.endConferenceOnExit
    this.mutedValue = init.muted ?? false
  }

  get media(): ConferenceMember | undefined {
    return this.mediaValue
  }

  get hold(): HoldState {
    return this.holdValue
  }

  get muted(): boolean {
    return this.mutedValue
  }

  /** aborts when the room ended while this member was in it */
  get kicked(): AbortSignal {
    return this.kick.signal
  }

  /**
   * The endpoint joined the engine's room muted as `joinedMuted`; a mute or hold asked for
   * while it was joining is applied now.
   */
  attach(media: ConferenceMember, joinedMuted: boolean): void {
    this.mediaValue = media
    if (this.mutedValue !== joinedMuted) {
      if (this.mutedValue) media.mute()
      else media.unmute()
    }
    if (this.holdValue === HoldState.Held) media.hold(this.holdWait)
  }

  endedByRoom(): void {
    this.kick.abort()
  }

  setMuted(muted: boolean): void {
    if (this.mutedValue === muted) return
    this.mutedValue = muted
    if (muted) this.mediaValue?.mute()
    else this.mediaValue?.unmute()
  }

  /** Returns false when already held. */
  setHeld(wait?: PlaySource): boolean {
    if (this.holdValue === HoldState.Held) return false
    this.holdValue = HoldState.Held
    this.holdWait = wait
    this.mediaValue?.hold(wait)
    return true
  }

  /** Returns false when not held. */
  setUnheld(): boolean {
    if (this.holdValue === HoldState.Active) return false
    this.holdValue = HoldState.Active
    this.holdWait = undefined
    this.mediaValue?.unhold()
    return true
  }
}
