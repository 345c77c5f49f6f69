import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeWav, sine } from '../../fixtures/audio/audio-test-kit.js'
import { waitForTone } from '../../support/audio-check.js'
import { api, callPath, getCall, waitUntil } from '../../support/control-call.js'
import { LivecallHarness, useLivecall } from '../../support/livecall-harness.js'
import { createCaller, type Caller } from '../../support/parties.js'

const CALLS = 4
const TONE = 600

/**
 * docs/production.md "Several livecall instances on one drachtio-server": two livecall
 * processes' worth of application code connected to ONE SIP server — the real
 * drachtio-server in the production shape, the first instance's embedded engine (which
 * speaks the same wire protocol and routes the same way) in the embedded one. New INVITEs
 * are spread over the connected instances; each call's app, media, control API and status
 * hook stay with the instance that received it, and its in-dialog requests (the caller's
 * BYE, the instance's own BYE) go to and from that instance only.
 */
describe('several livecall instances on one SIP server', () => {
  const a = useLivecall()
  let b: LivecallHarness | undefined
  const both = (): LivecallHarness[] => [a(), b!]

  beforeAll(async () => {
    const first = a().lc.config
    b = await LivecallHarness.start({
      env: { DRACHTIO_HOST: first.drachtioHost ?? '127.0.0.1', DRACHTIO_PORT: String(first.drachtioPort), DRACHTIO_SECRET: first.drachtioSecret },
    })
  }, 30_000)
  afterAll(async () => {
    await b?.stop()
  })

  it('new calls are spread over both; each call runs, is heard, listed, controlled and ended by the instance that got it, and nothing is left on either', async () => {
    const wav = makeWav({ rate: 8000, encoding: 'pcm16', seconds: 1, signal: sine(TONE) })
    for (const h of both()) {
      h.scaffold.route('/audio/tone.wav', { status: 200, body: wav, contentType: 'audio/wav' })
      h.scaffold.route('/app', [{ verb: 'play', url: h.scaffold.url('/audio/tone.wav'), loop: 10 }, { verb: 'pause', length: 30 }])
    }
    const calls: Array<{ caller: Caller; owner: LivecallHarness; sid: string }> = []
    try {
      // one after another, to the one SIP address both instances are behind; the app answers,
      // so the instance that got the INVITE has had its CALL_HOOK request by the 200
      for (let i = 0; i < CALLS; i++) {
        const before = both().map((h) => h.scaffold.requests('/app').length)
        const caller = await createCaller(a(), { autoAnswerBye: true })
        const final = await caller.call()
        const owner = both().find((h, n) => h.scaffold.requests('/app').length > before[n]!)
        calls.push({ caller, owner: owner!, sid: owner ? (owner.scaffold.requests('/app').at(-1)!.body as { call_sid: string }).call_sid : '' })
        expect(final).toMatch(/^SIP\/2\.0 200 /)
        expect(owner).toBeDefined()
      }
      expect(calls.filter((c) => c.owner === a()).length).toBeGreaterThanOrEqual(1)
      expect(calls.filter((c) => c.owner === b).length).toBeGreaterThanOrEqual(1)
      expect(a().scaffold.requests('/app').length + b!.scaffold.requests('/app').length).toBe(CALLS)

      // every caller hears its own instance's prompt
      for (const { caller } of calls) await waitForTone(caller.peer, TONE, { timeoutMs: 10_000 })

      // a call is known to its instance only
      for (const { owner, sid } of calls) {
        const other = owner === a() ? b! : a()
        expect((await getCall(owner, sid)).status).toBe(200)
        expect((await getCall(other, sid)).status).toBe(404)
      }

      // the first call of each instance is ended by its control API: that caller gets the BYE
      const byApi = both().map((h) => calls.find((c) => c.owner === h)!)
      for (const { owner, sid, caller } of byApi) {
        expect((await api(owner, 'DELETE', callPath(sid))).status).toBe(204)
        await caller.phone.waitFor((m) => m.startsWith('BYE '), 10_000, `BYE for ${sid}`)
      }

      // the others end with the caller's BYE, routed to the instance that owns the dialog
      for (const { owner, sid, caller } of calls.filter((c) => !byApi.includes(c))) {
        await caller.phone.bye()
        await waitUntil(async () => (await getCall(owner, sid)).status === 404, 10_000, `${sid} ended on its instance`)
        const completed = owner.scaffold.requests('/status').find((r) => r.body?.call_sid === sid && r.body?.call_status === 'completed')
        expect(completed).toBeDefined()
      }
      await b!.assertClean()
    } finally {
      for (const { caller } of calls) await caller.close()
    }
  }, 60_000)
})
