import { describe, expect, it } from 'vitest'
import { waitForTone } from '../../support/audio-check.js'
import { useLivecall } from '../../support/livecall-harness.js'
import { createCallee, createCaller, hookedSid } from '../../support/parties.js'
import type { RtpPeer } from '../../support/rtp-peer.js'
import { describeSipp, runSipp, startSipp } from '../../support/sipp.js'

interface Leg {
  peer: RtpPeer
  close(): Promise<void>
}

describe('dial: a child call bridged through the media engine', () => {
  const h = useLivecall()

  it('bridges audio both ways; the callee\'s BYE ends the dial and the actionHook reports completed', async () => {
    const b = await createCallee({ tone: 1200 })
    const a = await createCaller(h(), { tone: 700 })
    const legs: Leg[] = [a, b]
    try {
      h().scaffold.route('/app', [
        { verb: 'dial', callerId: '+15550001111', target: [{ type: 'sip', sipUri: b.sip.uri('bob') }], actionHook: '/dial-done' },
        { verb: 'hangup' },
      ])
      h().scaffold.route('/dial-done', [])
      const final = await a.call()
      expect(final).toMatch(/^SIP\/2\.0 200 OK/)
      await b.sip.waitForCall('answered')
      b.peer.start()
      // each hears the other's tone, through livecall's media engine
      await waitForTone(a.peer, 1200, { timeoutMs: 5000 })
      await waitForTone(b.peer, 700, { timeoutMs: 5000 })
      // the callee's INVITE carries livecall's SDP and the caller id, not the caller's
      const invite = b.sip.calls[0].invite
      expect(invite).toMatch(/^From:.*\+15550001111/m)
      expect(b.sip.lastOfferSdp).not.toContain(String(a.peer.port))
      await b.sip.bye()
      const done = await h().scaffold.waitFor((r) => r.path === '/dial-done', 5000, 'dial actionHook')
      expect(done.body).toMatchObject({ dial_call_status: 'completed', dial_sip_status: 200 })
      await a.phone.answerBye(5000)
      const parentSid = hookedSid(h())
      const childSid = (done.body as { dial_call_sid: string }).dial_call_sid
      await h().scaffold.waitForStatus('completed', parentSid)
      expect(h().scaffold.statuses(parentSid)).toEqual(['trying', 'in-progress', 'completed'])
      expect(h().scaffold.statuses(childSid)).toEqual(['trying', 'ringing', 'in-progress', 'completed'])
      const child = h().scaffold.statusCallbacks(childSid)[0].body as Record<string, unknown>
      expect(child).toMatchObject({ direction: 'outbound', parent_call_sid: parentSid, from: '+15550001111', to: 'bob' })
    } finally {
      for (const l of legs) await l.close()
    }
  }, 40_000)

  it('the caller\'s BYE ends the callee\'s leg too', async () => {
    const b = await createCallee({ tone: 1200 })
    const a = await createCaller(h(), { tone: 700 })
    try {
      h().scaffold.route('/app', [{ verb: 'dial', target: [{ type: 'sip', sipUri: b.sip.uri() }] }])
      const final = await a.phone.invite(a.peer.offer())
      a.phone.ack(final)
      await b.sip.waitForCall('answered')
      await a.phone.bye()
      await b.sip.waitFor((m) => m.startsWith('BYE '), 5000, 'BYE to the callee')
    } finally {
      await a.close()
      await b.close()
    }
  }, 30_000)

  it('busy: the actionHook reports busy / 486 and the app goes on', async () => {
    const b = await createCallee({ tone: 1200, mode: { kind: 'reject', status: 486 } })
    const a = await createCaller(h(), { tone: 700 })
    try {
      h().scaffold.route('/app', [
        { verb: 'dial', target: [{ type: 'sip', sipUri: b.sip.uri() }], actionHook: '/dial-done' },
        { verb: 'hangup' },
      ])
      h().scaffold.route('/dial-done', [{ verb: 'say', text: 'busy' }, { verb: 'hangup' }])
      await a.call()
      const done = await h().scaffold.waitFor((r) => r.path === '/dial-done', 5000, 'dial actionHook')
      expect(done.body).toMatchObject({ dial_call_status: 'busy', dial_sip_status: 486 })
      await a.phone.answerBye(15_000)
      expect(a.peer.audio().length).toBeGreaterThan(5) // the actionHook's document ran (say)
    } finally {
      await a.close()
      await b.close()
    }
  }, 30_000)

  it('no-answer: the ring timeout CANCELs the callee and reports no-answer', async () => {
    const b = await createCallee({ tone: 1200, mode: { kind: 'ringForever' } })
    const a = await createCaller(h(), { tone: 700 })
    try {
      h().scaffold.route('/app', [
        { verb: 'dial', timeout: 1, target: [{ type: 'sip', sipUri: b.sip.uri() }], actionHook: '/dial-done' },
        { verb: 'hangup' },
      ])
      h().scaffold.route('/dial-done', [])
      const final = await a.phone.invite(a.peer.offer())
      a.phone.ack(final)
      const done = await h().scaffold.waitFor((r) => r.path === '/dial-done', 8000, 'dial actionHook')
      expect(done.body).toMatchObject({ dial_call_status: 'no-answer' })
      expect(b.sip.messages.some((m) => m.startsWith('CANCEL '))).toBe(true)
      await a.phone.answerBye(5000)
    } finally {
      await a.close()
      await b.close()
    }
  }, 30_000)

  it('a SIPp caller\'s CANCEL while dialing (answerOnBridge) cancels the SIPp callee', async () => {
    const b = await startSipp({ scenario: 'uas-ring-wait-cancel.xml', transport: 'udp', ports: h().ports, timeoutS: 20 })
    await b.ready
    h().scaffold.route('/app', [{ verb: 'dial', answerOnBridge: true, target: [{ type: 'sip', sipUri: `sip:bob@127.0.0.1:${b.localPort}` }] }])
    // answerOnBridge sends the caller 180 before the callee is INVITEd (its media endpoint is
    // made first: tens of ms with FreeSWITCH); the caller waits 1 s so the callee is ringing
    // when the CANCEL comes (a CANCEL at once is the next test)
    const a = await runSipp({ scenario: 'uac-cancel-after-180-expect-487.xml', target: h().sipTarget, transport: 'udp', ports: h().ports, pauseMs: 1000, timeoutS: 20 })
    expect(a.code, describeSipp(a)).toBe(0)
    const br = await b.done
    expect(br.code, describeSipp(br)).toBe(0)
  }, 40_000)

  it('a caller\'s CANCEL at once on answerOnBridge\'s 180, while the dialed leg\'s endpoint is being made, leaves nothing behind', async () => {
    // the race of a CANCEL with the child's createEndpoint: with FreeSWITCH the CANCEL always
    // wins (the endpoint arrived after both calls ended and was left open, with its channel);
    // the leak check after the test asserts no endpoint / FreeSWITCH channel is left
    const b = await createCallee({ mode: { kind: 'ringForever' } })
    try {
      h().scaffold.route('/app', [{ verb: 'dial', answerOnBridge: true, target: [{ type: 'sip', sipUri: b.sip.uri('bob') }] }])
      const a = await runSipp({ scenario: 'uac-cancel-after-180-expect-487.xml', target: h().sipTarget, transport: 'udp', ports: h().ports, pauseMs: 0, timeoutS: 20 })
      expect(a.code, describeSipp(a)).toBe(0)
      await h().scaffold.waitForStatus('canceled', hookedSid(h()))
      // the callee was INVITEd only if its endpoint was made before the CANCEL; then it is CANCELed too
      if (b.sip.calls.length > 0) await b.sip.waitFor((m) => m.startsWith('CANCEL '), 5000, 'CANCEL to the callee')
    } finally {
      await b.close()
    }
  }, 40_000)
})
