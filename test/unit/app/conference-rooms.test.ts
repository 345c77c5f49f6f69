import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { RoomState } from '../../../src/app/conference/conference-room.js'
import { ConferenceRooms } from '../../../src/app/conference/conference-rooms.js'
import { HoldState } from '../../../src/app/conference/room-member.js'
import { parseConferenceOptions } from '../../../src/app/verbs/conference/conference-options.js'
import { parsePromptDocument } from '../../../src/app/verbs/conference/hook-prompts.js'
import type { ConferenceMember, PlaySource } from '../../../src/media/types.js'

/** a media seat that records what the room asked of it */
function seatLog(): ConferenceMember & { log: string[] } {
  const log: string[] = []
  return {
    log,
    conference: 'x',
    mute: () => log.push('mute'),
    unmute: () => log.push('unmute'),
    deaf: () => log.push('deaf'),
    undeaf: () => log.push('undeaf'),
    hold: (wait?: PlaySource) => log.push(`hold:${wait?.type ?? 'none'}`),
    unhold: () => log.push('unhold'),
    leave: async () => {
      log.push('leave')
    },
  }
}

const init = (callSid: string, over: { moderator?: boolean; endConferenceOnExit?: boolean; muted?: boolean } = {}) => ({
  callSid,
  moderator: over.moderator ?? true,
  endConferenceOnExit: over.endConferenceOnExit ?? false,
  muted: over.muted,
})

describe('ConferenceRooms', () => {
  it("two livecall instances' rooms of one name get different media rooms (one FreeSWITCH, global conference names); a room after an ended one gets a new one", () => {
    const first = new ConferenceRooms('AC1').open('sales')
    const second = new ConferenceRooms('AC1').open('sales')
    expect(first.conferenceSid).toBe(second.conferenceSid)
    expect(first.mediaName).not.toBe(second.mediaName)
    expect(first.mediaName.startsWith('conf:AC1:sales#')).toBe(true)
    const rooms = new ConferenceRooms('AC1', 'tag')
    const r1 = rooms.open('r')
    expect(r1.mediaName).toBe('conf:AC1:r#tag.1')
  })

  it('media joins take turns in seat order, so join events keep seat order and count the members in the audio (an engine whose joins finish out of order)', async () => {
    const room = new ConferenceRooms('AC1').open('turns')
    room.start()
    const events: Array<[string, number]> = []
    const members = ['a', 'b', 'c'].map((sid) => room.join(init(sid))!)
    // b's engine join is the slowest: without turns it would finish last and see three members
    const delay = { a: 5, b: 30, c: 1 } as Record<string, number>
    const never = new AbortController().signal
    await Promise.all(
      members.map((m) =>
        room.inJoinTurn(never, async () => {
          await new Promise((r) => setTimeout(r, delay[m.callSid]))
          m.attach(seatLog(), false)
          events.push([m.callSid, room.joinedCount])
        }),
      ),
    )
    expect(events).toEqual([['a', 1], ['b', 2], ['c', 3]])
  })

  it('a member whose signal aborts while waiting for its join turn stops waiting; a failed join does not block the next', async () => {
    const room = new ConferenceRooms('AC1').open('turns2')
    room.start()
    let releaseA!: () => void
    const slowA = room.inJoinTurn(new AbortController().signal, () => new Promise<void>((r) => (releaseA = r)))
    const gaveUp = new AbortController()
    const order: string[] = []
    const b = room.inJoinTurn(gaveUp.signal, async () => {
      order.push(gaveUp.signal.aborted ? 'b aborted' : 'b')
    })
    gaveUp.abort()
    await b
    expect(order).toEqual(['b aborted'])
    releaseA()
    await slowA
    await room.inJoinTurn(new AbortController().signal, async () => Promise.reject(new Error('engine refused'))).catch(() => order.push('c failed'))
    await room.inJoinTurn(new AbortController().signal, async () => {
      order.push('d')
    })
    expect(order).toEqual(['b aborted', 'c failed', 'd'])
  })

  it('opens one room per name, keyed like jambonz (conf:<account>:<name>), Waiting until started', () => {
    const rooms = new ConferenceRooms('AC1')
    const a = rooms.open('sales')
    expect(rooms.open('sales')).toBe(a)
    expect(a.conferenceSid).toBe('conf:AC1:sales')
    expect(a.state).toBe(RoomState.Waiting)
    expect(a.join(init('c1'))).toBeUndefined()
    expect(a.start()).toBe(true)
    expect(a.start()).toBe(false)
    expect(a.state).toBe(RoomState.Started)
  })

  it('a waiter is woken by the start; a waiter that gives up alone ends and forgets the room', async () => {
    const rooms = new ConferenceRooms('AC1')
    const room = rooms.open('r')
    const w1 = room.waitForStart('w1', new AbortController().signal)
    room.start()
    await expect(w1).resolves.toBe(true)

    const lonely = rooms.open('alone')
    const abort = new AbortController()
    const w2 = lonely.waitForStart('w2', abort.signal)
    expect(lonely.waiting).toBe(1)
    abort.abort()
    await expect(w2).resolves.toBe(false)
    expect(lonely.state).toBe(RoomState.Ended)
    expect(rooms.get('alone')).toBeUndefined()
    expect(rooms.open('alone')).not.toBe(lonely)
  })

  it('endConferenceOnExit: leaving ends the room and kicks every other member; the registry forgets it', () => {
    const rooms = new ConferenceRooms('AC1')
    const room = rooms.open('r')
    room.start()
    const boss = room.join(init('boss', { endConferenceOnExit: true }))!
    const a = room.join(init('a'))!
    const b = room.join(init('b'))!
    expect(room.size).toBe(3)
    expect(room.leave(boss.callSid)).toEqual({ remaining: 2, ended: true })
    expect(room.state).toBe(RoomState.Ended)
    expect(a.kicked.aborted && b.kicked.aborted).toBe(true)
    expect(rooms.get('r')).toBeUndefined()
    expect(room.leave('a')).toEqual({ remaining: 1, ended: false })
    expect(room.join(init('late'))).toBeUndefined()
  })

  it('the room ends when its last member leaves, not before', () => {
    const room = new ConferenceRooms('AC1').open('r')
    room.start()
    room.join(init('a'))
    room.join(init('b'))
    expect(room.leave('a')).toEqual({ remaining: 1, ended: false })
    expect(room.state).toBe(RoomState.Started)
    expect(room.leave('b')).toEqual({ remaining: 0, ended: true })
    expect(room.state).toBe(RoomState.Ended)
  })

  it('membership finds the room and the member of a call', () => {
    const rooms = new ConferenceRooms('AC1')
    const room = rooms.open('r')
    room.start()
    const m = room.join(init('c1'))!
    expect(rooms.membership('c1')).toEqual({ room, member: m })
    expect(rooms.membership('nobody')).toBeUndefined()
  })

  it('conf_mute_status: mute/unmute reaches every non-moderator, and no moderator', () => {
    const room = new ConferenceRooms('AC1').open('r')
    room.start()
    const mod = room.join(init('mod'))!
    const guest = room.join(init('guest', { moderator: false }))!
    const modSeat = seatLog()
    const guestSeat = seatLog()
    mod.attach(modSeat, false)
    guest.attach(guestSeat, false)
    expect(room.muteNonModerators(true)).toBe(1)
    expect(guest.muted).toBe(true)
    expect(room.muteNonModerators(false)).toBe(1)
    expect(guestSeat.log).toEqual(['mute', 'unmute'])
    expect(modSeat.log).toEqual([])
  })

  it('conf_hold_status: hold plays the wait audio to the member, unhold gives the mix back; repeats are refused', () => {
    const room = new ConferenceRooms('AC1').open('r')
    room.start()
    const m = room.join(init('a'))!
    const seat = seatLog()
    m.attach(seat, false)
    expect(room.hold('a', { type: 'tone', freqs: [440] })).toBe(true)
    expect(room.hold('a')).toBe(false)
    expect(m.hold).toBe(HoldState.Held)
    expect(room.unhold('a')).toBe(true)
    expect(room.unhold('a')).toBe(false)
    expect(room.hold('nobody')).toBe(false)
    expect(seat.log).toEqual(['hold:tone', 'unhold'])
  })

  it('a mute or hold asked for while the member was still joining the audio is applied when it attaches', () => {
    const room = new ConferenceRooms('AC1').open('r')
    room.start()
    const m = room.join(init('a', { moderator: false }))!
    room.muteNonModerators(true)
    room.hold('a')
    const seat = seatLog()
    m.attach(seat, false)
    expect(seat.log).toEqual(['mute', 'hold:none'])
  })
})

describe('conference options', () => {
  it('defaults like jambonz: startConferenceOnEnter true, endConferenceOnExit and joinMuted false', () => {
    expect(parseConferenceOptions({ name: 'room' })).toMatchObject({ name: 'room', startConferenceOnEnter: true, endConferenceOnExit: false, joinMuted: false, statusEvents: [] })
  })

  it.each([
    [{ name: '' }, /needs a name/],
    [{ name: 'r', statusEvents: ['join', 'explode'] }, /"explode" is not one of/],
    [{ name: 'r', statusEvents: 'join' }, /must be an array/],
    [{ name: 'r', maxParticipants: 1 }, /at least 2/],
    [{ name: 'r', record: { path: '/x' } }, /record is not supported/],
    [{ name: 'r', waitHook: 42 }, /waitHook must be a URL/],
  ])('refuses %j', (data, message) => {
    expect(() => parseConferenceOptions(data as Record<string, unknown>)).toThrow(message)
  })
})

describe('waitHook documents', () => {
  const logger = pino({ level: 'silent' })
  it('accepts play, say and pause', () => {
    const steps = parsePromptDocument([{ verb: 'play', url: 'tone_stream://440' }, { verb: 'say', text: 'hold on' }, { pause: { length: 1 } }], logger)
    expect(steps.map((s) => s.name)).toEqual(['play', 'say', 'pause'])
  })

  it('refuses any other verb, naming it', () => {
    expect(() => parsePromptDocument([{ verb: 'say', text: 'hi' }, { verb: 'hangup' }], logger)).toThrow(/verb 2 \(hangup\): only play, say and pause/)
  })

  it('refuses a verb that fails jambonz\'s schema', () => {
    expect(() => parsePromptDocument([{ verb: 'pause', length: 'long' }], logger)).toThrow(/waitHook verb 1 \(pause\)/)
  })
})
