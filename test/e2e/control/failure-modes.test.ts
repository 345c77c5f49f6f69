import { describe, expect, it } from 'vitest'
import { waitForSilence, waitForTone } from '../../support/audio-check.js'
import { api, callIn, callPath, getCall, startBridge, update } from '../../support/control-call.js'
import { useLivecall } from '../../support/livecall-harness.js'
import { A_TONE, B_TONE, createCallee } from '../../support/parties.js'
import { directionOf, waitForBye } from '../../support/sip-checks.js'
import { tonePlay } from '../../support/tone-play.js'

/** the third party's tone, the child's own app's tone, the new app's tone */
const C_TONE = 1500
const CHILD_TONE = 900
const NEW_TONE = 500

/**
 * The jambonz live-call-control bugs livecall must not repeat, each named after its
 * jambonz issue: released children that can no longer be controlled (#530, #563, #620),
 * a held caller left without audio after a redirect (#578), a conference member that
 * cannot rejoin after a redirect (#349), and updates answered 204 that did nothing (#853, #854).
 */
describe('live call control: the known failure modes', () => {
  const h = useLivecall()

  it('#530/#563/#620: a child leg after child_call_hook can be muted, redirected by call_hook again and hung up with DELETE', async () => {
    const x = await startBridge(h(), { after: [{ verb: 'pause', length: 60 }] })
    const c = await createCallee({ tone: C_TONE })
    try {
      // the child's own app dials C, so the child is in a dial of its own
      h().scaffold.route('/child', [{ verb: 'dial', target: [{ type: 'sip', sipUri: c.sip.uri() }] }])
      expect((await update(h(), x.sid, { child_call_hook: h().scaffold.url('/child') })).status).toBe(204)
      await c.sip.waitForCall('answered')
      c.peer.start()
      await waitForTone(c.peer, B_TONE, { timeoutMs: 10_000 })
      await waitForTone(x.calleePeer, C_TONE, { timeoutMs: 10_000 })

      expect((await update(h(), x.child, { mute_status: 'mute' })).status).toBe(204)
      await waitForSilence(c.peer, { timeoutMs: 5000 })
      expect((await update(h(), x.child, { mute_status: 'unmute' })).status).toBe(204)
      await waitForTone(c.peer, B_TONE, { timeoutMs: 5000 })

      h().scaffold.route('/child2', [tonePlay(h(), CHILD_TONE)])
      expect((await update(h(), x.child, { call_hook: h().scaffold.url('/child2') })).status).toBe(204)
      await waitForBye(c.sip, 'C (the child dial ends)')
      await waitForTone(x.calleePeer, CHILD_TONE, { timeoutMs: 10_000 })

      expect((await api(h(), 'DELETE', callPath(x.child))).status).toBe(204)
      await waitForBye(x.callee, 'the released child')
      await h().scaffold.waitForStatus('completed', x.child)
      // the caller was never touched
      expect((await getCall(h(), x.sid)).body).toMatchObject({ call_status: 'in-progress' })
      await x.phone.bye()
    } finally {
      await x.end()
      await c.close()
    }
  }, 90_000)

  it('#530/#563/#620: after its parent hung up, a child released by child_call_hook is still reachable, updatable and hung up by call_status completed', async () => {
    const x = await startBridge(h(), { after: [{ verb: 'pause', length: 60 }] })
    try {
      h().scaffold.route('/child', [tonePlay(h(), CHILD_TONE)])
      expect((await update(h(), x.sid, { child_call_hook: h().scaffold.url('/child') })).status).toBe(204)
      await waitForTone(x.calleePeer, CHILD_TONE, { timeoutMs: 10_000 })
      await x.phone.bye()
      await h().scaffold.waitForStatus('completed', x.sid)

      expect(await getCall(h(), x.child)).toMatchObject({ status: 200, body: { call_sid: x.child, call_status: 'in-progress' } })
      await waitForTone(x.calleePeer, CHILD_TONE, { timeoutMs: 5000 }) // its app goes on
      h().scaffold.route('/child2', [tonePlay(h(), NEW_TONE)])
      expect((await update(h(), x.child, { call_hook: h().scaffold.url('/child2') })).status).toBe(204)
      expect(h().scaffold.requests('/child2')[0].body).toMatchObject({ call_sid: x.child })
      await waitForTone(x.calleePeer, NEW_TONE, { timeoutMs: 10_000 })

      expect((await update(h(), x.child, { call_status: 'completed' })).status).toBe(204)
      await waitForBye(x.callee, 'the released child')
      await h().scaffold.waitForStatus('completed', x.child)
    } finally {
      await x.end()
    }
  }, 90_000)

  it('#578: call_hook while the caller is on hold takes it off hold (re-INVITE a=sendrecv) and the new app is heard', async () => {
    const x = await startBridge(h())
    try {
      expect((await update(h(), x.sid, { hold_status: 'hold' })).status).toBe(204)
      expect([...new Set(x.phone.reinvites)].map(directionOf)).toEqual(['inactive']) // retransmissions counted once
      await waitForSilence(x.peer, { timeoutMs: 5000 })

      h().scaffold.route('/new', [tonePlay(h(), NEW_TONE, 3), { verb: 'hangup' }])
      expect((await update(h(), x.sid, { call_hook: h().scaffold.url('/new') })).status).toBe(204)
      expect(new Set(x.phone.reinvites).size).toBe(2)
      expect(directionOf(x.phone.reinvites.at(-1)!)).toBe('sendrecv')
      await waitForBye(x.callee, 'the callee')
      await waitForTone(x.peer, NEW_TONE, { timeoutMs: 10_000 })
      await waitForBye(x.phone, 'the caller')
    } finally {
      await x.end()
    }
  }, 60_000)

  it('#349: a conference member redirected by call_hook to a document joining the same conference rejoins it and hears the others', async () => {
    const conf = { verb: 'conference', name: 'room349', statusHook: '/conf-status', statusEvents: ['join', 'leave'] }
    const a = await callIn(h(), [conf], { tone: A_TONE })
    const c = await callIn(h(), [conf], { tone: C_TONE })
    try {
      await waitForTone(a.peer, C_TONE, { timeoutMs: 10_000 })
      await waitForTone(c.peer, A_TONE, { timeoutMs: 10_000 })

      h().scaffold.route('/rejoin', [conf])
      expect((await update(h(), a.sid, { call_hook: h().scaffold.url('/rejoin') })).status).toBe(204)
      const events = (): string[] => h().scaffold.requests('/conf-status').filter((r) => r.body?.call_sid === a.sid).map((r) => r.body.event as string)
      await h().scaffold.waitFor(() => events().length >= 3, 10_000, 'the member leaves and joins again')
      expect(events()).toEqual(['join', 'leave', 'join'])
      await waitForTone(a.peer, C_TONE, { timeoutMs: 10_000 })
      await waitForTone(c.peer, A_TONE, { timeoutMs: 10_000 })
      await a.phone.bye()
      await c.phone.bye()
    } finally {
      await a.end()
      await c.end()
    }
  }, 60_000)

  it('#853/#854: an update that cannot apply is never answered 204, and one answered 204 took effect', async () => {
    const lone = await callIn(h(), [{ verb: 'answer' }, { verb: 'pause', length: 60 }])
    try {
      for (const body of [
        { conf_mute_status: 'mute' },
        { conf_hold_status: 'hold' },
        { mute_status: 'mute' },
        { hold_status: 'hold' },
        { listen_status: 'pause' },
        { whisper: { verb: 'say', text: 'nobody to whisper to' } },
        { child_call_hook: h().scaffold.url('/child') },
      ]) {
        const res = await update(h(), lone.sid, body)
        expect(res.status, JSON.stringify(body)).toBe(409)
        expect(res.body.error.code, JSON.stringify(body)).toBe('LIVECALL_ERR_CALL_STATE')
      }
      expect(h().scaffold.requests('/child')).toHaveLength(0)
      expect(lone.phone.reinvites).toHaveLength(0)
      await lone.phone.bye()
      await h().scaffold.waitForStatus('completed', lone.sid)
      const late = await update(h(), lone.sid, { mute_status: 'mute' })
      expect([404, 409]).toContain(late.status)
    } finally {
      await lone.end()
    }

    const x = await startBridge(h())
    try {
      // a 204 means it happened: the callee stops hearing the muted caller
      expect((await update(h(), x.sid, { mute_status: 'mute' })).status).toBe(204)
      await waitForSilence(x.calleePeer, { timeoutMs: 5000 })
      await waitForTone(x.peer, B_TONE, { timeoutMs: 5000 })
      // and the hold's re-INVITE was answered before the 204
      expect((await update(h(), x.child, { hold_status: 'hold' })).status).toBe(204)
      expect(x.callee.messages.some((m) => m.startsWith('INVITE ') && directionOf(m) === 'inactive')).toBe(true)
      await waitForSilence(x.peer, { timeoutMs: 5000 })
      expect((await update(h(), x.sid, { call_status: 'completed' })).status).toBe(204)
      await waitForBye(x.phone, 'the caller')
      await waitForBye(x.callee, 'the callee')
    } finally {
      await x.end()
    }
  }, 90_000)
})
