import { describe, expect, it } from 'vitest'
import { useLivecall } from '../../support/livecall-harness.js'
import { createCaller, hookedSid } from '../../support/parties.js'
import { describeSipp, runSipp } from '../../support/sipp.js'

describe('inbound call → CALL_HOOK application (say, hangup)', () => {
  const h = useLivecall()

  it('POSTs the SPEC §3 description to CALL_HOOK and runs the returned verbs: the caller hears speech, then BYE', async () => {
    h().scaffold.route('/app', [{ verb: 'say', text: 'Hello caller, this is a test.' }, { verb: 'hangup' }])
    const { phone, peer, call, close } = await createCaller(h())
    try {
      const final = await call()
      expect(final).toMatch(/^SIP\/2\.0 200 OK/)
      await phone.answerBye(20_000)
      expect(peer.audio().length).toBeGreaterThan(25)
      const pcm = peer.decode(peer.audio())
      let energy = 0
      for (const s of pcm) energy += s * s
      expect(Math.sqrt(energy / pcm.length)).toBeGreaterThan(300)
    } finally {
      await close()
    }
    const [hook] = h().scaffold.requests('/app')
    expect(hook.method).toBe('POST')
    expect(hook.body).toMatchObject({
      direction: 'inbound',
      account_sid: 'AC00000000000000000000000000000001',
      call_status: 'trying',
      parent_call_sid: null,
      originating_sip_ip: '127.0.0.1',
    })
    for (const key of ['call_sid', 'from', 'to', 'caller_name', 'call_id', 'sip_status', 'originating_sip_port', 'local_sip_address', 'sip']) {
      expect(hook.body, key).toHaveProperty(key)
    }
    const sid = (hook.body as { call_sid: string }).call_sid
    await h().scaffold.waitForStatus('completed', sid)
    expect(h().scaffold.statuses(sid)).toEqual(['trying', 'in-progress', 'completed'])
    const done = h().scaffold.statusCallbacks(sid).at(-1)!.body as Record<string, unknown>
    expect(done).toMatchObject({ call_status: 'completed', sip_status: 200 })
    expect(typeof done.duration).toBe('number')
  }, 30_000)

  it('a SIPp caller gets the app, answered and hung up', async () => {
    h().scaffold.route('/app', [{ verb: 'answer' }, { verb: 'pause', length: 0.3 }, { verb: 'hangup' }])
    const r = await runSipp({ scenario: 'uac-invite-expect-bye.xml', target: h().sipTarget, transport: 'udp', ports: h().ports, timeoutS: 15 })
    expect(r.code, describeSipp(r)).toBe(0)
  }, 30_000)
})

describe('sip:decline', () => {
  const h = useLivecall()

  it('rejects the unanswered call with its status, reason phrase and headers; 486 is reported as busy', async () => {
    h().scaffold.route('/app', [{ verb: 'sip:decline', status: 486, reason: 'agent busy', headers: { 'X-Reason': 'agent-busy' } }])
    const { call, close } = await createCaller(h())
    try {
      const final = await call()
      expect(final).toMatch(/^SIP\/2\.0 486 agent busy\r\n/)
      expect(final).toMatch(/^X-Reason: agent-busy\r$/m)
    } finally {
      await close()
    }
    const sid = hookedSid(h())
    const last = await h().scaffold.waitForStatus('busy', sid)
    expect(last.body).toMatchObject({ sip_status: 486, reason: 'agent busy' })
  }, 30_000)
})
