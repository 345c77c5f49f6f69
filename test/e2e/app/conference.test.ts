import { afterEach, describe, expect, it } from 'vitest'
import { hearsTone, heard, isSilent, nowMs, packetsIn, toneRatio } from '../../support/audio-check.js'
import { useLivecall } from '../../support/livecall-harness.js'
import { createCaller, hookedSid, type Caller as Party } from '../../support/parties.js'
import type { RecordedRequest } from '../../support/webhook-scaffold.js'

/** One caller: a SIP phone whose RtpPeer sends a steady tone of its own frequency. */
interface Caller extends Party {
  callSid: string
  freq: number
}

/** the hearing window: long enough for Goertzel to tell 500/1100/1700 Hz apart, short enough to follow changes */
const WINDOW_MS = 400

describe('conference verb: rooms across calls', () => {
  const h = useLivecall()
  const open: Caller[] = []

  afterEach(async () => {
    for (const c of open.splice(0)) await c.close()
  })

  /** Serve the next document of `docs` to each CALL_HOOK request, in arrival order. */
  function serveInOrder(docs: unknown[][]): void {
    const queue = [...docs]
    h().scaffold.route('/app', () => queue.shift() ?? [{ verb: 'hangup' }])
  }

  /** Dial in (answered by the app's conference verb) and start sending the caller's tone. */
  async function dialIn(freq: number): Promise<Caller> {
    const before = h().scaffold.requests('/app').length
    const caller: Caller = { ...(await createCaller(h(), { tone: freq })), callSid: '', freq }
    open.push(caller)
    const final = await caller.call()
    expect(final).toMatch(/^SIP\/2\.0 200 OK/)
    caller.callSid = hookedSid(h(), before)
    return caller
  }

  /** Wait until the last WINDOW_MS heard by `c` holds each of `freqs` (each at least a quarter of the power). */
  async function waitUntilHears(c: Caller, freqs: number[], timeoutMs = 15_000): Promise<void> {
    await c.peer.waitFor(() => freqs.every((f) => hearsTone(c.peer, f, { lastMs: WINDOW_MS, minRatio: 0.25, minPackets: 15 })), timeoutMs, `${freqs.join(' + ')} Hz at the ${c.freq} Hz caller`)
  }

  const confEvents = (path: string): Array<Record<string, unknown>> => h().scaffold.requests(path).map((r: RecordedRequest) => r.body as Record<string, unknown>)

  async function waitForEvents(path: string, pred: (events: Array<Record<string, unknown>>) => boolean, what: string): Promise<void> {
    await h().scaffold.waitFor(() => pred(confEvents(path)), 15_000, what)
  }

  it('three callers in one room each hear the other two and not themselves; the statusHook gets start, join, leave, end', async () => {
    const conf = { verb: 'conference', name: 'trio', statusHook: '/conf-status', statusEvents: ['start', 'end', 'join', 'leave'] }
    serveInOrder([[conf, { verb: 'hangup' }], [conf, { verb: 'hangup' }], [conf, { verb: 'hangup' }]])
    const callers: Caller[] = []
    for (const freq of [500, 1100, 1700]) callers.push(await dialIn(freq))
    await waitForEvents('/conf-status', (e) => e.filter((x) => x.event === 'join').length === 3, 'three join events')

    for (const c of callers) {
      const others = callers.filter((o) => o !== c).map((o) => o.freq)
      await waitUntilHears(c, others)
      const window = { since: nowMs() - WINDOW_MS }
      expect(toneRatio(heard(c.peer, window), c.freq), `the ${c.freq} Hz caller hears itself`).toBeLessThan(0.05)
    }

    for (const c of callers) expect(await c.phone.bye()).toMatch(/^SIP\/2\.0 200/)
    await waitForEvents('/conf-status', (e) => e.some((x) => x.event === 'end'), 'the end event')

    const events = confEvents('/conf-status')
    expect(events.map((e) => e.event)).toEqual(['start', 'join', 'join', 'join', 'leave', 'leave', 'leave', 'end'])
    expect(events.filter((e) => e.event === 'join').map((e) => [e.call_sid, e.members])).toEqual(callers.map((c, i) => [c.callSid, i + 1]))
    expect(events.filter((e) => e.event === 'leave').map((e) => [e.call_sid, e.members])).toEqual(callers.map((c, i) => [c.callSid, 2 - i]))
    for (const e of events) {
      expect(e).toMatchObject({ conferenceSid: 'conf:AC00000000000000000000000000000001:trio', friendlyName: 'trio', account_sid: 'AC00000000000000000000000000000001' })
      expect(typeof e.time).toBe('string')
      expect(typeof e.duration).toBe('number')
    }
  }, 60_000)

  it('a member with startConferenceOnEnter:false hears the waitHook until a starter joins; the starter leaving with endConferenceOnExit ends its conference verb (actionHook, then its next verb: BYE)', async () => {
    h().scaffold.route('/wait', [{ verb: 'play', url: 'tone_stream://700' }])
    h().scaffold.route('/conf-done', [])
    serveInOrder([
      [{ verb: 'conference', name: 'lobby', startConferenceOnEnter: false, waitHook: '/wait', actionHook: '/conf-done', statusHook: '/lobby-status', statusEvents: ['join', 'leave'] }, { verb: 'hangup' }],
      [{ verb: 'conference', name: 'lobby', endConferenceOnExit: true, statusHook: '/lobby-status', statusEvents: ['start', 'join', 'leave', 'end'] }, { verb: 'hangup' }],
    ])

    const waiter = await dialIn(1100)
    await waitUntilHears(waiter, [700])
    const waitRequest = await h().scaffold.waitFor((r) => r.path === '/wait', 10_000, 'the waitHook request')
    expect(waitRequest.body).toMatchObject({ call_sid: waiter.callSid, direction: 'inbound' })
    expect(confEvents('/lobby-status')).toEqual([])

    const starter = await dialIn(1700)
    // the wait music stops: the waiter hears the starter only
    await waiter.peer.waitFor(
      () => hearsTone(waiter.peer, 1700, { lastMs: WINDOW_MS, minPackets: 15 }) && !hearsTone(waiter.peer, 700, { lastMs: WINDOW_MS, minRatio: 0.05 }),
      15_000,
      'the starter instead of the wait music',
    )
    await waitUntilHears(starter, [1100])
    await waitForEvents('/lobby-status', (e) => e.filter((x) => x.event === 'join').length === 2, 'two join events')

    expect(await starter.phone.bye()).toMatch(/^SIP\/2\.0 200/)
    const bye = await waiter.phone.answerBye(15_000)
    expect(bye).toMatch(/^BYE /)

    const done = await h().scaffold.waitFor((r) => r.path === '/conf-done', 10_000, 'the actionHook')
    expect(done.body).toMatchObject({ call_sid: waiter.callSid })
    await waitForEvents('/lobby-status', (e) => e.some((x) => x.event === 'end') && e.filter((x) => x.event === 'leave').length === 2, 'end and two leave events')
    const events = confEvents('/lobby-status').map((e) => [e.event, e.call_sid])
    expect(events).toEqual([
      ['start', starter.callSid],
      ['join', starter.callSid],
      ['join', waiter.callSid],
      ['leave', starter.callSid],
      ['end', starter.callSid],
      ['leave', waiter.callSid],
    ])
    await h().scaffold.waitForStatus('completed', waiter.callSid)
  }, 60_000)

  it('a waiter that hangs up before anyone starts the room leaves nothing behind, and the room can start afresh', async () => {
    h().scaffold.route('/wait', [{ verb: 'say', text: 'Please wait for the host.' }])
    serveInOrder([
      [{ verb: 'conference', name: 'empty', startConferenceOnEnter: false, waitHook: '/wait' }],
      [{ verb: 'conference', name: 'empty', statusHook: '/again', statusEvents: ['start', 'join'] }],
    ])
    const waiter = await dialIn(500)
    await h().scaffold.waitFor((r) => r.path === '/wait', 10_000, 'the waitHook request')
    expect(await waiter.phone.bye()).toMatch(/^SIP\/2\.0 200/)
    await h().scaffold.waitForStatus('completed', waiter.callSid)
    await h().assertClean()

    const alone = await dialIn(1100)
    await waitForEvents('/again', (e) => e.some((x) => x.event === 'join'), 'the join event')
    expect(confEvents('/again').map((e) => [e.event, e.members])).toEqual([['start', 0], ['join', 1]])
    expect(await alone.phone.bye()).toMatch(/^SIP\/2\.0 200/)
  }, 60_000)

  it('joinMuted: the others do not hear the member, the member hears them', async () => {
    serveInOrder([
      [{ verb: 'conference', name: 'muted', statusHook: '/muted-status', statusEvents: ['join'] }],
      [{ verb: 'conference', name: 'muted', joinMuted: true, statusHook: '/muted-status', statusEvents: ['join'] }],
    ])
    const speaker = await dialIn(500)
    const listener = await dialIn(1100)
    await waitForEvents('/muted-status', (e) => e.length === 2, 'two join events')
    await waitUntilHears(listener, [500])
    const since = nowMs()
    await speaker.peer.waitFor(() => packetsIn(speaker.peer, { since }).length >= 40, 10_000, '800 ms of audio at the speaker')
    expect(isSilent(speaker.peer, { since }), 'the speaker hears the muted member').toBe(true)
    for (const c of [speaker, listener]) expect(await c.phone.bye()).toMatch(/^SIP\/2\.0 200/)
  }, 60_000)

  it('refuses a document whose conference has an impossible value before running any of it', async () => {
    serveInOrder([[{ verb: 'say', text: 'never heard' }, { verb: 'conference', name: 'x', statusEvents: ['join', 'explode'] }]])
    const caller: Caller = { ...(await createCaller(h())), callSid: '', freq: 0 }
    open.push(caller)
    const final = await caller.call()
    expect(final).toMatch(/^SIP\/2\.0 500/)
    const sid = hookedSid(h())
    const failed = await h().scaffold.waitFor((r) => h().scaffold.statusCallbacks(sid).includes(r) && typeof r.body?.reason === 'string', 10_000, 'the final status')
    expect(failed.body.reason).toMatch(/conference\): statusEvents: "explode" is not one of/)
    expect(caller.peer.audio()).toHaveLength(0)
  }, 30_000)
})
