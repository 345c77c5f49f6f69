import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { CallEvents } from '../../../src/app/events/call-events.js'
import { installErrorHandler } from '../../../src/control/plugins/error-handler.js'
import { eventsRoutes } from '../../../src/control/routes/native/events-routes.js'
import { useLivecall, type LivecallHarness } from '../../support/livecall-harness.js'
import { SseClient } from '../../support/sse-client.js'
import { ACCOUNT, hangUpBoth, startBridge, update as updateCall } from '../../support/control-call.js'

const OTHER_ACCOUNT = 'AC00000000000000000000000000000002'
const AUTH = { authorization: 'Bearer test-api-key' }

const eventsUrl = (h: LivecallHarness, account = ACCOUNT): string => `${h.baseUrl}/v1/Accounts/${account}/Events`

/** the call_status values one call went through, as the stream told them */
const statesOf = (c: SseClient, sid: string): string[] =>
  c.data.filter((e) => e.type === 'state' && e.call_sid === sid).map((e) => e.call.call_status)

const completed = (sid: string) => (c: SseClient): boolean => statesOf(c, sid).includes('completed')

async function waitUntil(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * The call event stream (docs/control-api.md "Event stream"): Server-Sent Events of every
 * call state change (the status hook's description) and every applied live update, per
 * account, with Last-Event-ID replay from the account's own buffer.
 */
describe('call event stream: GET /v1/Accounts/{sid}/Events', () => {
  const h = useLivecall()

  it("a dial's whole life in order, both legs, each event the status hook's description; applied updates appear", async () => {
    const sse = await SseClient.open(eventsUrl(h()), AUTH)
    expect(sse.status).toBe(200)
    await sse.waitFor((c) => c.comments.includes('live'), 5000, 'the live marker')
    const x = await startBridge(h())
    try {
      expect((await updateCall(h(), x.child, { mute_status: 'mute' })).status).toBe(204)
      expect((await updateCall(h(), x.sid, { whisper: { verb: 'say', text: 'hello there' } })).status).toBe(204)
      await hangUpBoth(x)
      await sse.waitFor((c) => completed(x.sid)(c) && completed(x.child)(c), 10_000, 'both legs completed')
    } finally {
      await x.end()
      sse.close()
    }
    expect(statesOf(sse, x.sid)).toEqual(['trying', 'in-progress', 'completed'])
    expect(statesOf(sse, x.child)).toEqual(['trying', 'ringing', 'in-progress', 'completed'])
    const child = sse.data.find((e) => e.type === 'state' && e.call_sid === x.child)
    expect(child.call).toMatchObject({ parent_call_sid: x.sid, direction: 'outbound', account_sid: ACCOUNT })

    // the same description as the status hook, in the same order
    await waitUntil(() => h().scaffold.requests('/status').filter((r) => (r.body as any).call_status === 'completed').length >= 2, 'status hooks')
    const hooked = h().scaffold.requests('/status').map((r) => r.body)
    const streamed = sse.data.filter((e) => e.type === 'state').map((e) => e.call)
    expect(streamed).toEqual(hooked)

    const updates = sse.data.filter((e) => e.type === 'update')
    expect(updates).toEqual([
      { type: 'update', call_sid: x.child, update: { kind: 'mute', mute: true } },
      { type: 'update', call_sid: x.sid, update: { kind: 'whisper', whisper: [{ verb: 'say', text: 'hello there' }] } },
    ])
    // every event has an id, each one greater than the last
    const seqs = sse.events.map((e) => Number(e.id?.split('.')[1]))
    expect(seqs.every((n, i) => Number.isInteger(n) && (i === 0 || n > seqs[i - 1]))).toBe(true)
  }, 60_000)

  it("a reconnecting client gets what it missed of its own account, and nothing of another account's", async () => {
    const mine = await SseClient.open(eventsUrl(h()), AUTH)
    const other = await SseClient.open(eventsUrl(h(), OTHER_ACCOUNT), AUTH)
    const x = await startBridge(h())
    let firstId: string
    try {
      await mine.waitFor((c) => statesOf(c, x.sid).includes('in-progress'), 10_000, 'the call in progress')
      firstId = mine.events[0].id as string
      await hangUpBoth(x)
      await mine.waitFor((c) => completed(x.sid)(c) && completed(x.child)(c), 10_000, 'both legs completed')
    } finally {
      await x.end()
      mine.close()
    }
    other.close()
    expect(other.events).toEqual([])

    // the same account, from the first event on: exactly the events after it, then live
    const again = await SseClient.open(eventsUrl(h()), { ...AUTH, 'last-event-id': firstId })
    await again.waitFor((c) => c.comments.includes('live'), 5000, 'the live marker')
    again.close()
    expect(again.events).toEqual(mine.events.slice(1))

    // another account giving an id of this account's stream: nothing replayed
    const intruder = await SseClient.open(eventsUrl(h(), OTHER_ACCOUNT), { ...AUTH, 'last-event-id': firstId })
    await intruder.waitFor((c) => c.comments.includes('live'), 5000, 'the live marker')
    intruder.close()
    expect(intruder.events).toEqual([])
    // an id from before a restart (another epoch): the whole buffer of the account
    const afterRestart = await SseClient.open(eventsUrl(h(), OTHER_ACCOUNT), { ...AUTH, 'last-event-id': '0.1' })
    await afterRestart.waitFor((c) => c.comments.includes('live'), 5000, 'the live marker')
    afterRestart.close()
    expect(afterRestart.events).toEqual([])
  }, 60_000)

  it('401 without the key or with a wrong one; ?api_key= is taken on this route only', async () => {
    const none = await SseClient.open(eventsUrl(h()))
    expect(none.status).toBe(401)
    expect(JSON.parse(none.body)).toMatchObject({ error: { code: 'LIVECALL_ERR_UNAUTHORIZED' } })
    expect((await SseClient.open(eventsUrl(h()), { authorization: 'Bearer wrong' })).status).toBe(401)
    expect((await SseClient.open(`${eventsUrl(h())}?api_key=wrong`)).status).toBe(401)

    const byQuery = await SseClient.open(`${eventsUrl(h())}?api_key=test-api-key`)
    expect(byQuery.status).toBe(200)
    await byQuery.waitFor((c) => c.comments.includes('live'), 5000, 'the live marker')
    byQuery.close()
    const calls = await fetch(`${h().baseUrl}/v1/Accounts/${ACCOUNT}/Calls?api_key=test-api-key`)
    expect(calls.status).toBe(401)
  })

  it('closing the connection frees its subscription', async () => {
    const before = h().lc.events.subscriberCount()
    const clients = await Promise.all([1, 2, 3].map(() => SseClient.open(eventsUrl(h()), AUTH)))
    await Promise.all(clients.map((c) => c.waitFor((x) => x.comments.includes('live'), 5000, 'the live marker')))
    expect(h().lc.events.subscriberCount()).toBe(before + 3)
    for (const c of clients) c.close()
    await waitUntil(() => h().lc.events.subscriberCount() === before, 'subscriptions freed')
  })

  it('a heartbeat comment keeps an idle stream alive; server close ends the streams', async () => {
    const bus = new CallEvents()
    const app = Fastify()
    installErrorHandler(app)
    await app.register(eventsRoutes(bus, 'k', { heartbeatMs: 50 }))
    await app.listen({ host: '127.0.0.1', port: 0 })
    const port = (app.server.address() as { port: number }).port
    const sse = await SseClient.open(`http://127.0.0.1:${port}/v1/Accounts/${ACCOUNT}/Events?api_key=k`)
    await sse.waitFor((c) => c.comments.filter((x) => x === 'heartbeat').length >= 2, 5000, 'two heartbeats')
    bus.publish(ACCOUNT, { type: 'update', call_sid: 'CA1', update: { kind: 'hangup' } })
    await sse.waitFor((c) => c.events.length === 1, 5000, 'the event')
    await app.close()
    await sse.waitFor((c) => c.isEnded, 5000, 'the stream to end')
    expect(bus.subscriberCount()).toBe(0)
  })
})
