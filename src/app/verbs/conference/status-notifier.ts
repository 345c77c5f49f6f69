import type { ConferenceRoom, RoomStatusHook } from '../../conference/conference-room.js'
import type { VerbContext } from '../verb.js'
import type { ConferenceEvent } from './conference-options.js'

/**
 * jambonz conference status events (`_notifyConferenceEvent`): POSTed to the statusHook
 * of the member that started the room (jambonz stores it with the conference), or, when
 * that member gave none, to this member's own statusHook; only the events listed in
 * statusEvents. The body is jambonz's: `event`, `duration` (seconds since the room
 * started), `time` (ISO 8601), `members`, `conferenceSid`, `friendlyName`, plus the call
 * description of the member (call_sid, from, to, …; its `duration` is the conference's). Events of one room are sent in order.
 */
export class ConferenceStatusNotifier {
  constructor(
    private readonly ctx: VerbContext,
    private readonly room: ConferenceRoom,
    private readonly own: RoomStatusHook | undefined,
  ) {}

  notify(event: ConferenceEvent, members: number): void {
    const target = this.room.statusHook ?? this.own
    if (!target?.events.has(event)) return
    const startedAt = this.room.startedAt?.getTime() ?? Date.now()
    this.ctx.deps.webhooks.notifyOrdered(this.room.conferenceSid, target.hook, {
      ...this.ctx.call.describe(),
      event,
      duration: Math.max(0, (Date.now() - startedAt) / 1000),
      time: new Date().toISOString(),
      members,
      conferenceSid: this.room.conferenceSid,
      friendlyName: this.room.name,
    })
  }
}
