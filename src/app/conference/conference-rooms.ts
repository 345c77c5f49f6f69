import { randomBytes } from 'node:crypto'
import { ConferenceRoom, RoomState } from './conference-room.js'
import type { RoomMember } from './room-member.js'

export interface Membership {
  room: ConferenceRoom
  member: RoomMember
}

/**
 * Every live conference room of this livecall, by name (jambonz keys them per account:
 * `conf:<account_sid>:<name>`). Injected through AppDeps, never global. A room is
 * created by the first call that names it and forgotten when it ends; the next call
 * for that name opens a new room.
 *
 * The media engine's room is named `<conferenceSid>#<this livecall's tag>.<n>`: several
 * livecall instances may share one FreeSWITCH, whose conference names are global, and a
 * room's state lives in the instance that opened it. Without the tag two instances' first
 * rooms of one name (`…#1`) were mixed into one FreeSWITCH conference, and a restarted
 * livecall could join a room its predecessor left behind.
 */
export class ConferenceRooms {
  private readonly rooms = new Map<string, ConferenceRoom>()
  private instances = 0

  constructor(
    private readonly accountSid: string,
    private readonly tag = randomBytes(4).toString('hex'),
  ) {}

  /** The room called `name`, opened (Waiting) when there is none. */
  open(name: string): ConferenceRoom {
    const existing = this.rooms.get(name)
    if (existing && existing.state !== RoomState.Ended) return existing
    const conferenceSid = `conf:${this.accountSid}:${name}`
    const room = new ConferenceRoom(name, conferenceSid, `${conferenceSid}#${this.tag}.${++this.instances}`, (r) => {
      if (this.rooms.get(r.name) === r) this.rooms.delete(r.name)
    })
    this.rooms.set(name, room)
    return room
  }

  get(name: string): ConferenceRoom | undefined {
    return this.rooms.get(name)
  }

  /** the room a call is a member of (for live call control: conf_mute_status, conf_hold_status) */
  membership(callSid: string): Membership | undefined {
    for (const room of this.rooms.values()) {
      const member = room.member(callSid)
      if (member) return { room, member }
    }
    return undefined
  }

  get size(): number {
    return this.rooms.size
  }

  names(): string[] {
    return [...this.rooms.keys()]
  }
}
