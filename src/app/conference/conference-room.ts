import type { PlaySource } from '../../media/types.js'
import type { ResolvedHook } from '../webhook/index.js'
import { RoomMember, type RoomMemberInit } from './room-member.js'

/**
 * A named conference across calls (jambonz `conference`): who is in it, whether it has
 * started, and ending it. The audio is the media engine's room (`mediaName`); this is
 * the state jambonz keeps in its realtime database (`conf:<account>:<name>` plus the
 * `:waitlist` set).
 *
 *   Waiting ──start() (a member with startConferenceOnEnter)──► Started
 *   Waiting ──the last waiter gives up──────────────────────────► Ended
 *   Started ──a member with endConferenceOnExit leaves, or the last member leaves──► Ended
 *
 * Ended is final: the registry forgets the room, and the next call for that name opens a
 * new one. Only members of a Started room are in the audio; members arriving with
 * startConferenceOnEnter:false while it is Waiting are waiters, woken by start().
 */
export enum RoomState {
  Waiting = 'waiting',
  Started = 'started',
  Ended = 'ended',
}

const ALLOWED: Record<RoomState, readonly RoomState[]> = {
  [RoomState.Waiting]: [RoomState.Started, RoomState.Ended],
  [RoomState.Started]: [RoomState.Ended],
  [RoomState.Ended]: [],
}

/** the statusHook of the member that started the room, with the events it asked for */
export interface RoomStatusHook {
  hook: ResolvedHook
  events: ReadonlySet<string>
}

export interface LeaveResult {
  /** members still in the room */
  remaining: number
  /** this leave ended the room (endConferenceOnExit, or it was the last member) */
  ended: boolean
}

export class ConferenceRoom {
  private stateValue = RoomState.Waiting
  private startedAtValue: Date | undefined
  private statusHookValue: RoomStatusHook | undefined
  private readonly members = new Map<string, RoomMember>()
  private readonly waiters = new Map<string, () => void>()
  /** the media join in progress: members enter the engine's room one at a time, in seat order */
  private joinTurn: Promise<void> = Promise.resolve()

  constructor(
    /** the jambonz `name` (friendlyName in status events) */
    readonly name: string,
    /** jambonz's conferenceSid: `conf:<account_sid>:<name>` */
    readonly conferenceSid: string,
    /** the engine's room: unique per room instance, so a new room never mixes with an ended one's last leavers */
    readonly mediaName: string,
    private readonly onEnded: (room: ConferenceRoom) => void,
  ) {}

  get state(): RoomState {
    return this.stateValue
  }

  get startedAt(): Date | undefined {
    return this.startedAtValue
  }

  get statusHook(): RoomStatusHook | undefined {
    return this.statusHookValue
  }

  /** members in the audio (waiters excluded) */
  get size(): number {
    return this.members.size
  }

  get waiting(): number {
    return this.waiters.size
  }

  member(callSid: string): RoomMember | undefined {
    return this.members.get(callSid)
  }

  memberList(): RoomMember[] {
    return [...this.members.values()]
  }

  /** The one guarded transition; false (nothing changes) when the move is not allowed. */
  private transition(next: RoomState): boolean {
    if (!ALLOWED[this.stateValue].includes(next)) return false
    this.stateValue = next
    if (next === RoomState.Started) this.startedAtValue = new Date()
    if (next === RoomState.Ended) this.onEnded(this)
    return true
  }

  /**
   * A member with startConferenceOnEnter arrives: a Waiting room starts, its statusHook
   * becomes the room's (as jambonz stores it with the conference) and every waiter is
   * woken. Returns true when this call started the room.
   */
  start(statusHook?: RoomStatusHook): boolean {
    if (!this.transition(RoomState.Started)) return false
    this.statusHookValue = statusHook
    const wake = [...this.waiters.values()]
    this.waiters.clear()
    for (const w of wake) w()
    return true
  }

  /**
   * A member with startConferenceOnEnter:false waits for the start (jambonz adds it to
   * the room's wait list). Resolves true once the room has started, false when `signal`
   * aborted first; a room left with neither waiters nor members then ends.
   */
  waitForStart(callSid: string, signal: AbortSignal): Promise<boolean> {
    if (this.stateValue === RoomState.Started) return Promise.resolve(true)
    if (this.stateValue === RoomState.Ended || signal.aborted) return Promise.resolve(false)
    return new Promise<boolean>((resolve) => {
      const onAbort = (): void => {
        if (this.waiters.get(callSid) !== wake) return
        this.waiters.delete(callSid)
        if (this.waiters.size === 0 && this.members.size === 0) this.transition(RoomState.Ended)
        resolve(false)
      }
      const wake = (): void => {
        signal.removeEventListener('abort', onAbort)
        resolve(true)
      }
      this.waiters.set(callSid, wake)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Seat a call in a Started room; undefined when the room is not Started (it ended meanwhile). */
  join(init: RoomMemberInit): RoomMember | undefined {
    if (this.stateValue !== RoomState.Started || this.members.has(init.callSid)) return undefined
    const member = new RoomMember(init)
    this.members.set(init.callSid, member)
    return member
  }

  /** members whose endpoint is in the engine's room (media attached) */
  get joinedCount(): number {
    let n = 0
    for (const m of this.members.values()) if (m.media) n++
    return n
  }

  /**
   * Run `enter` (a member's media join plus its join event) after the previous member's has
   * settled, or once `signal` aborts. The engine's join is asynchronous (FreeSWITCH answers
   * with its add-member event, tens of ms later, sometimes out of order): without the turn,
   * members seated one after another announced their joins out of seat order, each with the
   * count of every seat taken meanwhile (the production-shape conference e2e).
   */
  async inJoinTurn<T>(signal: AbortSignal, enter: () => Promise<T>): Promise<T> {
    const previous = this.joinTurn
    let release!: () => void
    this.joinTurn = new Promise<void>((resolve) => (release = resolve))
    try {
      await waitOrAbort(previous, signal)
      return await enter()
    } finally {
      release()
    }
  }

  /**
   * A member leaves (its verb ended, the call hung up, a redirect). When it had
   * endConferenceOnExit, or nobody is left, the room ends and every other member is
   * kicked: their conference verbs end and their apps go on (mod_conference `endconf`).
   */
  leave(callSid: string): LeaveResult {
    const member = this.members.get(callSid)
    if (!member) return { remaining: this.members.size, ended: false }
    this.members.delete(callSid)
    const remaining = this.members.size
    if ((member.endConferenceOnExit || remaining === 0) && this.transition(RoomState.Ended)) {
      for (const other of this.members.values()) other.endedByRoom()
      return { remaining, ended: true }
    }
    return { remaining, ended: false }
  }

  /**
   * SPEC §5 conf_mute_status (jambonz `conference <name> mute non_moderator`): mute or
   * unmute every member that is not a moderator. Returns how many members it applied to.
   */
  muteNonModerators(muted: boolean): number {
    let n = 0
    for (const m of this.members.values()) {
      if (m.moderator) continue
      m.setMuted(muted)
      n++
    }
    return n
  }

  /** SPEC §5 conf_hold_status hold: false when the call is not a member or already held. */
  hold(callSid: string, wait?: PlaySource): boolean {
    return this.members.get(callSid)?.setHeld(wait) ?? false
  }

  /** SPEC §5 conf_hold_status unhold: false when the call is not a member or not held. */
  unhold(callSid: string): boolean {
    return this.members.get(callSid)?.setUnheld() ?? false
  }
}

/** resolves when `p` settles or `signal` aborts, whichever is first */
function waitOrAbort(p: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise<void>((resolve) => {
    const done = (): void => {
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
    p.then(done, done)
  })
}
