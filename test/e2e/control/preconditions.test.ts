import { describe, expect, it } from 'vitest'
import { waitForTone } from '../../support/audio-check.js'
import { ACCOUNT, api, callBridged, callIn, callPath, update, waitUntil, type ApiAnswer } from '../../support/control-call.js'
import { useLivecall, type LivecallHarness } from '../../support/livecall-harness.js'

/**
 * SPEC §5, the 409 column: every precondition of src/app/live-control/ops/*.ts with a
 * call really in the wrong state (ringing vs answered, no dial vs a dial still ringing,
 * not in a conference, no listen, no recording). A 409 changes nothing: no SIP request
 * reaches either party, no hook is fetched, the call goes on.
 */
const ANSWERED_APP = [{ verb: 'answer' }, { verb: 'pause', length: 60 }]
/** `pause` does not answer: the inbound call stays unanswered */
const RINGING_APP = [{ verb: 'pause', length: 60 }]

function expectConflict(r: ApiAnswer, ...named: string[]): void {
  expect(r.status, r.text).toBe(409)
  expect(r.body).toEqual({ error: { code: expect.stringMatching(/^LIVECALL_ERR_CALL_(STATE|ENDED)$/), message: expect.any(String) } })
  for (const n of named) expect(r.body.error.message).toContain(n)
}

const inDialog = (messages: string[]): string[] => messages.filter((m) => /^(BYE|CANCEL|INVITE|INFO|NOTIFY|MESSAGE|UPDATE|OPTIONS) /.test(m))

async function status(h: LivecallHarness, sid: string): Promise<string> {
  return ((await api(h, 'GET', callPath(sid))).body as { call_status: string }).call_status
}

describe('409: each update refused in a state it is not valid in, and nothing changes', () => {
  const h = useLivecall()

  it('an unanswered inbound call: completed, record, sip_request, mute, hold, whisper are 409; the caller still waits', async () => {
    const call = await callIn(h(), RINGING_APP, { answered: false })
    try {
      expect(await status(h(), call.sid)).not.toBe('in-progress')
      expectConflict(await update(h(), call.sid, { call_status: 'completed' }), 'call_status completed needs an answered call')
      expectConflict(await update(h(), call.sid, { record: { action: 'start' } }), 'record needs an answered call')
      expectConflict(await update(h(), call.sid, { sip_request: { method: 'INFO', body: 'x' } }), 'sip_request needs an answered call')
      expectConflict(await update(h(), call.sid, { mute_status: 'mute' }), 'mute_status needs an active dial')
      expectConflict(await update(h(), call.sid, { hold_status: 'hold' }), 'hold_status needs an active dial')
      expectConflict(await update(h(), call.sid, { whisper: { verb: 'say', text: 'psst' } }), 'whisper needs an active dial')
      expectConflict(await update(h(), call.sid, { child_call_hook: h().scaffold.url('/child') }), 'child_call_hook needs an active dial')
      // no final response, no request in the dialog: the call still rings
      expect(call.phone.messages.some((m) => /^SIP\/2\.0 [2-6]\d\d /.test(m))).toBe(false)
      expect(inDialog(call.phone.messages)).toEqual([])
      expect(await status(h(), call.sid)).not.toMatch(/completed|no-answer|failed/)
      // and the valid one for this state works: no-answer rejects it with 480
      expect((await update(h(), call.sid, { call_status: 'no-answer' })).status).toBe(204)
      expect(await call.final).toMatch(/^SIP\/2\.0 480 /)
      await h().scaffold.waitForStatus('no-answer', call.sid)
    } finally {
      await call.end()
    }
  })

  it('an answered call without a dial: no-answer, mute, hold, whisper, child_call_hook, listen, conference, record without a recording are 409', async () => {
    const call = await callIn(h(), ANSWERED_APP)
    try {
      const sid = call.sid
      const wait = h().scaffold.url('/wait')
      h().scaffold.route('/wait', [{ verb: 'say', text: 'please hold' }])
      h().scaffold.route('/new-app', [{ verb: 'hangup' }])
      expectConflict(await update(h(), sid, { call_status: 'no-answer' }), 'still ringing', 'in-progress')
      expectConflict(await update(h(), sid, { mute_status: 'mute' }), 'mute_status needs an active dial')
      expectConflict(await update(h(), sid, { mute_status: 'unmute' }), 'mute_status needs an active dial')
      expectConflict(await update(h(), sid, { hold_status: 'hold', wait_hook: wait }), 'hold_status needs an active dial')
      expectConflict(await update(h(), sid, { hold_status: 'unhold' }), 'hold_status needs an active dial')
      expectConflict(await update(h(), sid, { whisper: { verb: 'say', text: 'psst' } }), 'whisper needs an active dial')
      expectConflict(await update(h(), sid, { mute_status: 'mute', whisper: { verb: 'say', text: 'psst' } }), 'mute_status needs an active dial')
      expectConflict(await update(h(), sid, { child_call_hook: h().scaffold.url('/child') }), 'child_call_hook needs an active dial')
      expectConflict(await update(h(), sid, { call_hook: h().scaffold.url('/new-app'), child_call_hook: h().scaffold.url('/child') }), 'child_call_hook needs an active dial')
      expectConflict(await update(h(), sid, { listen_status: 'pause' }), 'listen_status needs an active listen')
      expectConflict(await update(h(), sid, { listen_status: 'resume' }), 'listen_status needs an active listen')
      expectConflict(await update(h(), sid, { conf_mute_status: 'mute' }), 'conf_mute_status needs a call in a conference')
      expectConflict(await update(h(), sid, { conf_hold_status: 'hold', wait_hook: wait }), 'conf_hold_status needs a call in a conference')
      expectConflict(await update(h(), sid, { conf_hold_status: 'unhold' }), 'conf_hold_status needs a call in a conference')
      for (const action of ['pause', 'resume', 'stop']) {
        expectConflict(await update(h(), sid, { record: { action } }), `record ${action} needs a running recording`)
      }
      // nothing happened: no re-INVITE / BYE to the caller, no hook fetched, the app did not change
      expect(inDialog(call.phone.messages)).toEqual([])
      expect(h().scaffold.requests('/wait')).toEqual([])
      expect(h().scaffold.requests('/new-app')).toEqual([])
      expect(h().scaffold.requests('/child')).toEqual([])
      expect(await status(h(), sid)).toBe('in-progress')
    } finally {
      await call.end()
    }
  })

  it('recording: a second start while one runs is 409 (wav or mp3); stop then answers with the file', async () => {
    const call = await callIn(h(), ANSWERED_APP)
    try {
      const started = await update(h(), call.sid, { record: { action: 'start' } })
      expect(started.status, started.text).toBe(200)
      expect(started.body.recording.path).toContain(call.sid)
      expectConflict(await update(h(), call.sid, { record: { action: 'start' } }), 'a recording is already running')
      expectConflict(await update(h(), call.sid, { record: { action: 'start', format: 'mp3' } }), 'a recording is already running')
      const stopped = await update(h(), call.sid, { record: { action: 'stop' } })
      expect(stopped.status, stopped.text).toBe(200)
      expect(stopped.body.recording.path).toBe(started.body.recording.path)
      expectConflict(await update(h(), call.sid, { record: { action: 'stop' } }), 'record stop needs a running recording')
    } finally {
      await call.end()
    }
  })

  it('a dial still ringing: mute, hold, whisper, child_call_hook on the caller are 409; completed, record, sip_request on the ringing leg are 409', async () => {
    const call = await callBridged(h(), { ring: true })
    try {
      const { sid, child } = call
      expect(await status(h(), sid)).toBe('in-progress')
      expectConflict(await update(h(), sid, { mute_status: 'mute' }), 'mute_status needs an active dial')
      expectConflict(await update(h(), sid, { hold_status: 'hold' }), 'hold_status needs an active dial')
      expectConflict(await update(h(), sid, { whisper: { verb: 'say', text: 'psst' } }), 'whisper needs an active dial')
      expectConflict(await update(h(), sid, { child_call_hook: h().scaffold.url('/child') }), 'child_call_hook needs an active dial')
      expectConflict(await update(h(), sid, { conf_mute_status: 'mute' }), 'conference')
      expectConflict(await update(h(), sid, { listen_status: 'pause' }), 'listen_status needs an active listen')
      expectConflict(await update(h(), child, { call_status: 'completed' }), 'call_status completed needs an answered call')
      expectConflict(await update(h(), child, { record: { action: 'start' } }), 'record needs an answered call')
      expectConflict(await update(h(), child, { sip_request: { method: 'INFO' } }), 'sip_request needs an answered call')
      expectConflict(await update(h(), child, { mute_status: 'mute' }), 'mute_status needs an active dial')
      // the callee still rings (no CANCEL), the caller got nothing in its dialog
      expect(call.callee.call().state).toBe('ringing')
      expect(inDialog(call.callee.messages).filter((m) => !m.startsWith('INVITE '))).toEqual([])
      expect(inDialog(call.phone.messages)).toEqual([])
      expect(h().scaffold.requests('/child')).toEqual([])
      // it can still be answered, and then the caller and callee hear each other
      call.callee.answerNow()
      await call.callee.waitForCall('answered')
      call.calleePeer.start()
      await waitForTone(call.calleePeer, 700, { timeoutMs: 5000 })
      await waitForTone(call.peer, 1200, { timeoutMs: 5000 })
    } finally {
      await call.end()
    }
  })

  it('an answered dial: no-answer on either leg and conference/listen updates are 409; whisper while a party is held is 409', async () => {
    const call = await callBridged(h())
    try {
      const { sid, child } = call
      expectConflict(await update(h(), sid, { call_status: 'no-answer' }), 'still ringing')
      expectConflict(await update(h(), child, { call_status: 'no-answer' }), 'still ringing')
      expectConflict(await update(h(), child, { conf_hold_status: 'hold' }), 'conference')
      expectConflict(await update(h(), sid, { listen_status: 'resume' }), 'listen_status needs an active listen')
      expectConflict(await update(h(), child, { listen_status: 'pause' }), 'listen_status needs an active listen')
      expect(inDialog(call.phone.messages)).toEqual([])
      await waitForTone(call.calleePeer, 700, { timeoutMs: 5000 })

      expect((await update(h(), child, { hold_status: 'hold' })).status).toBe(204)
      await call.callee.waitFor((m) => m.startsWith('INVITE ') && /a=inactive/.test(m), 5000, 're-INVITE a=inactive')
      expectConflict(await update(h(), sid, { whisper: { verb: 'say', text: 'psst' } }), 'on hold')
      expectConflict(await update(h(), child, { whisper: { verb: 'say', text: 'psst' } }), 'on hold')
      expect((await update(h(), child, { hold_status: 'unhold' })).status).toBe(204)
      await waitForTone(call.calleePeer, 700, { timeoutMs: 5000 })
    } finally {
      await call.end()
    }
  })

  it('an update queued behind another on a call that ends meanwhile is 409 call ended, never applied', async () => {
    const call = await callIn(h(), ANSWERED_APP)
    try {
      h().scaffold.route('/slow-app', { status: 200, delayMs: 3000, body: [{ verb: 'pause', length: 60 }] })
      const first = update(h(), call.sid, { call_hook: h().scaffold.url('/slow-app') })
      await h().scaffold.waitFor((r) => r.path === '/slow-app', 5000, 'the slow call_hook fetch')
      const second = update(h(), call.sid, { sip_request: { method: 'INFO', body: 'late' } })
      const live = await h().lc.registry.get(ACCOUNT, call.sid)
      // wait until the second update is queued behind the first (SerialQueue's count)
      await waitUntil(() => (live?.commands as unknown as { pending: number }).pending === 2, 5000, 'second update queued')
      await call.phone.bye()
      const [r1, r2] = await Promise.all([first, second])
      // the redirect's fetch was cut by the call's end: a 409 call ended, not an internal error
      expectConflict(r1, 'ended while the update ran')
      expectConflict(r2, 'has ended')
      expect(r2.body.error.code).toBe('LIVECALL_ERR_CALL_ENDED')
      expect(call.phone.messages.filter((m) => m.startsWith('INFO '))).toEqual([])
    } finally {
      await call.end()
    }
  })
})
