import { describe, expect, it } from 'vitest'
import { useLivecall } from '../../support/livecall-harness.js'
import { createCaller } from '../../support/parties.js'
import type { RouteHandler } from '../../support/webhook-scaffold.js'
import { reply } from '../../support/webhook-scaffold.js'

/** SPEC §3 final call states */
const FINAL = ['completed', 'failed', 'busy', 'no-answer', 'canceled']
const WEBHOOK_TIMEOUT_MS = 500

/**
 * SPEC §4: an application that cannot run (a webhook that fails, a document that does not
 * validate, a verb livecall cannot perform) ends the call cleanly — a final non-2xx for a
 * caller not yet answered, a BYE for one that is — with the reason in the final status
 * callback, and no verb of an invalid document ever runs.
 */
describe('bad webhook applications end the call cleanly with a reason', () => {
  const h = useLivecall({ env: { WEBHOOK_TIMEOUT_MS: String(WEBHOOK_TIMEOUT_MS) } })

  /** The final status callback of the call whose CALL_HOOK request the scaffold got. */
  async function finalStatus(): Promise<{ sid: string; status: string; body: Record<string, unknown> }> {
    const hook = await h().scaffold.waitFor((r) => r.path === '/app', 10_000, 'CALL_HOOK request')
    const sid = (hook.body as { call_sid: string }).call_sid
    const cb = await h().scaffold.waitFor(
      (r) => h().scaffold.statusCallbacks(sid).includes(r) && FINAL.includes(r.body?.call_status),
      10_000,
      `final status of ${sid}`,
    )
    return { sid, status: cb.body.call_status, body: cb.body }
  }

  /** A caller whose app must never answer: the INVITE gets a final non-2xx and no audio ever reaches it. */
  async function expectRefused(app: RouteHandler, reason: RegExp): Promise<void> {
    h().scaffold.route('/app', app)
    const { phone, peer, call, close } = await createCaller(h())
    try {
      const final = await call()
      expect(final).toMatch(/^SIP\/2\.0 [4-6]\d\d /)
      const done = await finalStatus()
      expect(done.status).not.toBe('completed')
      expect(done.status).not.toBe('in-progress')
      expect(String(done.body.reason)).toMatch(reason)
      expect(h().scaffold.statuses(done.sid)).not.toContain('in-progress')
      // nothing was answered, so nothing was ever sent to the caller's media port
      expect(peer.audio()).toHaveLength(0)
      expect(phone.messages.filter((m) => m.startsWith('BYE '))).toHaveLength(0)
    } finally {
      await close()
    }
  }

  it('CALL_HOOK that never answers within WEBHOOK_TIMEOUT_MS: the caller gets a final non-2xx, reason LIVECALL_ERR_WEBHOOK_TIMEOUT', async () => {
    await expectRefused(reply({ status: 200, body: [{ verb: 'say', text: 'too late' }], delayMs: WEBHOOK_TIMEOUT_MS * 8 }), /LIVECALL_ERR_WEBHOOK_TIMEOUT/)
  }, 30_000)

  it('CALL_HOOK answering 500: reason LIVECALL_ERR_WEBHOOK_HTTP', async () => {
    await expectRefused(reply({ status: 500, body: { error: 'app crashed' } }), /LIVECALL_ERR_WEBHOOK_HTTP/)
  }, 30_000)

  it('CALL_HOOK answering text that is not JSON: reason LIVECALL_ERR_WEBHOOK_BODY', async () => {
    await expectRefused(reply({ status: 200, body: '<Response><Say>hi</Say></Response>', contentType: 'text/html' }), /LIVECALL_ERR_WEBHOOK_BODY/)
  }, 30_000)

  it('CALL_HOOK answering JSON that is not an array of verbs: reason LIVECALL_ERR_APP_INVALID', async () => {
    await expectRefused(reply({ status: 200, body: '"say hello"', contentType: 'application/json' }), /LIVECALL_ERR_APP_INVALID/)
  }, 30_000)

  it('a JSON object that is no verb is refused too', async () => {
    await expectRefused({ hello: 'world' }, /LIVECALL_ERR_APP_INVALID/)
  }, 30_000)

  it('an unknown verb after a valid say: nothing runs (no answer, no audio), reason names the verb', async () => {
    await expectRefused([{ verb: 'say', text: 'you must never hear this' }, { verb: 'bogus' }], /LIVECALL_ERR_APP_INVALID.*bogus/)
  }, 30_000)

  it('a known verb with a bad property ({verb:pause, length:"x"}): reason LIVECALL_ERR_APP_INVALID naming it', async () => {
    await expectRefused([{ verb: 'say', text: 'you must never hear this' }, { verb: 'pause', length: 'x' }], /LIVECALL_ERR_APP_INVALID.*length/)
  }, 30_000)

  it('dial with a user target (no registrar): refused before anything runs', async () => {
    await expectRefused(
      [{ verb: 'say', text: 'you must never hear this' }, { verb: 'dial', target: [{ type: 'user', name: 'alice@example.com' }] }],
      /LIVECALL_ERR_APP_INVALID.*user/,
    )
  }, 30_000)

  it('dial with a phone target while SIP_TRUNK is unset: reason LIVECALL_ERR_DIAL_TARGET, the caller is never answered', async () => {
    await expectRefused([{ verb: 'dial', target: [{ type: 'phone', number: '+15551234567' }] }], /LIVECALL_ERR_DIAL_TARGET.*SIP_TRUNK/)
  }, 30_000)

  it('an actionHook that answers 500 mid-call: the answered caller gets a BYE, reason LIVECALL_ERR_WEBHOOK_HTTP', async () => {
    h().scaffold.route('/app', [
      { verb: 'play', url: 'silence_stream://300', actionHook: '/after-play' },
      { verb: 'say', text: 'the app must not go on after its actionHook failed' },
    ])
    h().scaffold.route('/after-play', reply({ status: 500, body: { error: 'boom' } }))
    const { phone, peer, call, close } = await createCaller(h())
    try {
      const final = await call()
      expect(final).toMatch(/^SIP\/2\.0 200 /)
      await phone.answerBye(20_000)
      const done = await finalStatus()
      expect(done.status).toBe('completed')
      expect(String(done.body.reason)).toMatch(/LIVECALL_ERR_WEBHOOK_HTTP/)
      expect(h().scaffold.requests('/after-play')).toHaveLength(1)
      expect(h().scaffold.requests('/after-play')[0].body).toMatchObject({ call_sid: done.sid, reason: 'playCompleted' })
      // the say after the play never ran: what the caller got is the play's silence only
      const pcm = peer.decode(peer.audio())
      let energy = 0
      for (const s of pcm) energy += s * s
      expect(Math.sqrt(energy / Math.max(1, pcm.length))).toBeLessThan(100)
    } finally {
      await close()
    }
  }, 30_000)

  it('a caller that CANCELs while CALL_HOOK is still being fetched: 487, canceled, and the late document never runs', async () => {
    const delayMs = 1500
    h().scaffold.route('/app', reply({ status: 200, body: [{ verb: 'redirect', actionHook: '/late' }], delayMs }))
    const { phone, peer, close } = await createCaller(h())
    try {
      const invite = phone.invite(peer.offer())
      await h().scaffold.waitFor((r) => r.path === '/app', 10_000, 'CALL_HOOK request')
      const { final, cancelResponse } = await phone.cancel()
      expect(cancelResponse).toMatch(/^SIP\/2\.0 200 /)
      expect(final).toMatch(/^SIP\/2\.0 487 /)
      expect(await invite).toMatch(/^SIP\/2\.0 487 /)
      const done = await finalStatus()
      expect(done.status).toBe('canceled')
      await h().assertClean()
      // proving a negative: give the late document time to arrive and (wrongly) run
      await new Promise((r) => setTimeout(r, delayMs + 1000))
      expect(h().scaffold.requests('/late')).toHaveLength(0)
      expect(h().scaffold.statuses(done.sid).filter((s) => FINAL.includes(s))).toEqual(['canceled'])
      expect(phone.messages.filter((m) => !m.startsWith('SIP/2.0 '))).toHaveLength(0)
    } finally {
      await close()
    }
  }, 30_000)
})
