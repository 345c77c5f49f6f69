import { describe, expect, it } from 'vitest'
import { waitForSound, waitForTone } from '../../support/audio-check.js'
import { callIn, createCall, getCall, startBridge, update } from '../../support/control-call.js'
import { useLivecall } from '../../support/livecall-harness.js'
import { A_TONE, B_TONE } from '../../support/parties.js'
import { SipUdpCallee } from '../../support/sip-udp-callee.js'
import { waitForBye } from '../../support/sip-checks.js'
import { tonePlay } from '../../support/tone-play.js'
import { reply } from '../../support/webhook-scaffold.js'

/** the old app's tone, the caller's new app's tone, the child's own app's tone */
const OLD_TONE = 440
const NEW_TONE = 500
const CHILD_TONE = 900

const sayAndHangup = (text: string): unknown[] => [{ verb: 'say', text }, { verb: 'hangup' }]

/** call_hook / child_call_hook / call_status through PUT …/Calls/{sid} (SPEC §5). */
describe('live call control: call_hook, child_call_hook and call_status', () => {
  const h = useLivecall()

  it('call_hook on a call in a long pause: the new app is fetched with the call description before the 204, then runs (say, hangup)', async () => {
    const c = await callIn(h(), [{ verb: 'answer' }, { verb: 'pause', length: 60 }])
    try {
      h().scaffold.route('/new', reply({ delayMs: 500, body: sayAndHangup('The application was replaced.') }))
      const res = await update(h(), c.sid, { call_hook: h().scaffold.url('/new') })
      expect(res.status).toBe(204)
      // the app was fetched before the answer: the scaffold already has the POST
      const [fetched] = h().scaffold.requests('/new')
      expect(fetched.method).toBe('POST')
      expect(fetched.body).toMatchObject({ call_sid: c.sid, direction: 'inbound', call_status: 'in-progress' })
      await waitForSound(c.peer)
      await waitForBye(c.phone, 'the caller')
      await h().scaffold.waitForStatus('completed', c.sid)
    } finally {
      await c.end()
    }
  }, 40_000)

  it('call_hook answering 500 or invalid JSON is a 502 and the old app keeps playing', async () => {
    const c = await callIn(h(), [tonePlay(h(), OLD_TONE)])
    try {
      await waitForTone(c.peer, OLD_TONE, { timeoutMs: 10_000 })
      h().scaffold.route('/broken', reply({ status: 500, body: 'oops' }))
      const r500 = await update(h(), c.sid, { call_hook: h().scaffold.url('/broken') })
      expect(r500.status).toBe(502)
      expect(r500.body.error.code).toMatch(/^LIVECALL_ERR_WEBHOOK/)
      h().scaffold.route('/garbage', reply({ status: 200, body: '[{"verb": "say",', contentType: 'application/json' }))
      const rBad = await update(h(), c.sid, { call_hook: h().scaffold.url('/garbage') })
      expect(rBad.status).toBe(502)
      expect(h().scaffold.requests('/broken')).toHaveLength(1)
      expect(h().scaffold.requests('/garbage')).toHaveLength(1)
      // the caller still hears the old app, and the call is still up
      const mark = c.peer.audio().length
      await c.peer.waitFor(() => c.peer.audio().length > mark + 25, 5000, 'more audio')
      await waitForTone(c.peer, OLD_TONE, { timeoutMs: 5000 })
      expect(c.phone.messages.some((m) => m.startsWith('BYE '))).toBe(false)
      expect((await getCall(h(), c.sid)).body).toMatchObject({ call_status: 'in-progress' })
      await c.phone.bye()
    } finally {
      await c.end()
    }
  }, 40_000)

  it('call_status_hook with call_hook: the later status callbacks go to the new hook', async () => {
    const c = await callIn(h(), [{ verb: 'answer' }, { verb: 'pause', length: 60 }])
    try {
      h().scaffold.route('/status2', reply({ status: 200 }))
      h().scaffold.route('/new', sayAndHangup('Status callbacks move.'))
      const res = await update(h(), c.sid, { call_hook: h().scaffold.url('/new'), call_status_hook: h().scaffold.url('/status2') })
      expect(res.status).toBe(204)
      await waitForBye(c.phone, 'the caller')
      const done = await h().scaffold.waitFor((r) => r.path === '/status2' && r.body?.call_status === 'completed', 10_000, 'completed at /status2')
      expect(done.body).toMatchObject({ call_sid: c.sid })
      expect(h().scaffold.statuses(c.sid)).not.toContain('completed')
    } finally {
      await c.end()
    }
  }, 40_000)

  it('call_hook during a dial: the callee gets BYE and the caller runs the new app', async () => {
    const x = await startBridge(h())
    try {
      h().scaffold.route('/new', [tonePlay(h(), NEW_TONE, 3), { verb: 'hangup' }])
      expect((await update(h(), x.sid, { call_hook: h().scaffold.url('/new') })).status).toBe(204)
      await waitForBye(x.callee, 'the callee')
      await waitForTone(x.peer, NEW_TONE, { timeoutMs: 10_000 })
      await waitForBye(x.phone, 'the caller')
      expect(h().scaffold.requests('/new')[0].body).toMatchObject({ call_sid: x.sid })
    } finally {
      await x.end()
    }
  }, 60_000)

  it('call_hook with child_call_hook during a dial: the callee runs its own app, the caller the new one', async () => {
    const x = await startBridge(h())
    try {
      h().scaffold.route('/new', [tonePlay(h(), NEW_TONE, 3), { verb: 'hangup' }])
      h().scaffold.route('/child', [tonePlay(h(), CHILD_TONE, 3), ...sayAndHangup('This is the callee app.')])
      const res = await update(h(), x.sid, { call_hook: h().scaffold.url('/new'), child_call_hook: h().scaffold.url('/child') })
      expect(res.status).toBe(204)
      expect(h().scaffold.requests('/child')[0].body).toMatchObject({ call_sid: x.child, direction: 'outbound', parent_call_sid: x.sid })
      await waitForTone(x.calleePeer, CHILD_TONE, { timeoutMs: 10_000 })
      await waitForTone(x.peer, NEW_TONE, { timeoutMs: 10_000 })
      await waitForBye(x.phone, 'the caller')
      await waitForSound(x.calleePeer) // the callee's say
      await waitForBye(x.callee, 'the callee', 20_000)
    } finally {
      await x.end()
    }
  }, 60_000)

  it("call_hook with child_call_hook where either webhook fails: 502, the dial goes on and the old app's relative hooks still resolve against its own URL", async () => {
    const x = await startBridge(h(), { dial: { actionHook: 'dial-done' } })
    try {
      h().scaffold.route('/dial-done', [{ verb: 'hangup' }])
      h().scaffold.route('/v2/new', [tonePlay(h(), NEW_TONE)])
      h().scaffold.route('/v2/broken', reply({ status: 500, body: 'no' }))
      h().scaffold.route('/child', [tonePlay(h(), CHILD_TONE)])
      h().scaffold.route('/child-broken', reply({ status: 500, body: 'no' }))
      const childFails = await update(h(), x.sid, { call_hook: h().scaffold.url('/v2/new'), child_call_hook: h().scaffold.url('/child-broken') })
      expect(childFails.status).toBe(502)
      const parentFails = await update(h(), x.sid, { call_hook: h().scaffold.url('/v2/broken'), child_call_hook: h().scaffold.url('/child') })
      expect(parentFails.status).toBe(502)
      // still bridged: neither app runs
      await waitForTone(x.calleePeer, A_TONE, { timeoutMs: 5000 })
      await waitForTone(x.peer, B_TONE, { timeoutMs: 5000 })
      await x.callee.bye()
      await waitForBye(x.phone, 'the caller (the dial actionHook hangs up)')
      expect(h().scaffold.requests('/dial-done')).toHaveLength(1)
      expect(h().scaffold.requests('/v2/dial-done')).toHaveLength(0)
    } finally {
      await x.end()
    }
  }, 60_000)

  it("child_call_hook alone: the child leaves the dial for its own app, the parent's app goes on after the dial; 409 without a dial", async () => {
    const x = await startBridge(h(), { after: [tonePlay(h(), NEW_TONE, 3), { verb: 'hangup' }] })
    try {
      h().scaffold.route('/child', [tonePlay(h(), CHILD_TONE, 3), { verb: 'hangup' }])
      expect((await update(h(), x.sid, { child_call_hook: h().scaffold.url('/child') })).status).toBe(204)
      await waitForTone(x.calleePeer, CHILD_TONE, { timeoutMs: 10_000 })
      await waitForTone(x.peer, NEW_TONE, { timeoutMs: 10_000 }) // the verb after the dial
      // now that the dial is over, child_call_hook on the parent has no dial to act on
      const again = await update(h(), x.sid, { child_call_hook: h().scaffold.url('/child') })
      expect(again.status).toBe(409)
      expect(again.body.error.code).toBe('LIVECALL_ERR_CALL_STATE')
      await waitForBye(x.phone, 'the caller')
      await waitForBye(x.callee, 'the callee')
    } finally {
      await x.end()
    }
  }, 60_000)

  it('call_status completed on a dial: BYE to both legs', async () => {
    const x = await startBridge(h())
    try {
      expect((await update(h(), x.sid, { call_status: 'completed' })).status).toBe(204)
      await waitForBye(x.phone, 'the caller')
      await waitForBye(x.callee, 'the callee')
      await h().scaffold.waitForStatus('completed', x.sid)
      await h().scaffold.waitForStatus('completed', x.child)
    } finally {
      await x.end()
    }
  }, 60_000)

  it('call_status no-answer on a ringing inbound call: 480 to the caller; completed on it is a 409 first', async () => {
    const c = await callIn(h(), [{ verb: 'pause', length: 5 }], { answered: false })
    try {
      const sid = c.sid
      const early = await update(h(), sid, { call_status: 'completed' })
      expect(early.status).toBe(409)
      expect((await update(h(), sid, { call_status: 'no-answer' })).status).toBe(204)
      expect(await c.final).toMatch(/^SIP\/2\.0 480 /)
      await h().scaffold.waitForStatus('no-answer', sid)
    } finally {
      await c.end()
    }
  }, 40_000)

  it('call_status no-answer on a ringing API-created call: CANCEL to the callee; completed on it is a 409 first', async () => {
    const b = await SipUdpCallee.create()
    b.ringForever()
    try {
      h().scaffold.route('/outbound-app', sayAndHangup('never heard'))
      const created = await createCall(h(), { from: '+15550001111', to: { type: 'sip', sipUri: b.uri('dave') }, call_hook: h().scaffold.url('/outbound-app'), call_status_hook: h().scaffold.url('/status') })
      expect(created.status).toBe(201)
      const sid = created.body.sid as string
      await b.waitForCall('ringing')
      await h().scaffold.waitForStatus('ringing', sid)
      expect((await update(h(), sid, { call_status: 'completed' })).status).toBe(409)
      expect((await update(h(), sid, { call_status: 'no-answer' })).status).toBe(204)
      await b.waitFor((m) => m.startsWith('CANCEL '), 10_000, 'CANCEL')
      await b.waitForCall('canceled')
      await h().scaffold.waitForStatus('no-answer', sid)
      expect(h().scaffold.requests('/outbound-app')).toHaveLength(0)
    } finally {
      b.close()
    }
  }, 40_000)

  it('call_status no-answer on an answered call is a 409 and changes nothing', async () => {
    const c = await callIn(h(), [{ verb: 'answer' }, { verb: 'pause', length: 60 }])
    try {
      const res = await update(h(), c.sid, { call_status: 'no-answer' })
      expect(res.status).toBe(409)
      expect(res.body.error.code).toBe('LIVECALL_ERR_CALL_STATE')
      expect((await getCall(h(), c.sid)).body).toMatchObject({ call_status: 'in-progress' })
      await c.phone.bye()
    } finally {
      await c.end()
    }
  }, 40_000)
})
