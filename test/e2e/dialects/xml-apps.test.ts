import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeWav, sine } from '../../fixtures/audio/audio-test-kit.js'
import { hearsTone, waitForTone } from '../../support/audio-check.js'
import { ACCOUNT, waitUntil } from '../../support/control-call.js'
import { useLivecall, type LivecallHarness } from '../../support/livecall-harness.js'
import { RtpPeer } from '../../support/rtp-peer.js'
import { SipUdpCallee } from '../../support/sip-udp-callee.js'
import { SipUdpPhone, sdpOf } from '../../support/sip-udp-phone.js'
import { expectTwilioSigned, nowMs, twilioStatuses, waitForSound, xml } from './twiml-helpers.js'

/** A caller whose inbound call runs the XML app /app answers (CALL_HOOK_FORMAT=twiml). */
async function callXml(h: LivecallHarness, doc: string, opts: { tone?: number; expectAnswer?: boolean } = {}) {
  h.scaffold.route('/app', xml(doc))
  const peer = await RtpPeer.create(opts.tone ? { payload: { kind: 'tone', freq: opts.tone } } : {})
  const phone = await SipUdpPhone.create({ host: '127.0.0.1', port: h.sipPort }, { autoAnswerBye: true })
  const before = h.scaffold.requests('/app').length
  const final = await phone.invite(peer.offer())
  if (opts.expectAnswer !== false) {
    expect(final).toMatch(/^SIP\/2\.0 200/)
    phone.ack(final)
    peer.target(sdpOf(final)).start()
  }
  const req = h.scaffold.requests('/app')[before]
  const sid = req.body.CallSid as string
  return {
    sid, peer, phone, final, req,
    close: async () => {
      await waitUntil(() => h.lc.registry.size() === 0 || !h.lc.sessions.has(sid), 20_000, `call ${sid} ended`)
      phone.close()
      await peer.close()
    },
  }
}

/**
 * XML applications (TwiML / LaML / RCML) for inbound calls: CALL_HOOK_FORMAT=twiml makes
 * livecall request CALL_HOOK with Twilio's signed form parameters and run the XML answer
 * on its native verbs; every supported verb, over real SIP and RTP.
 */
describe('XML applications on inbound calls (CALL_HOOK_FORMAT=twiml)', () => {
  const env: Record<string, string> = { CALL_HOOK_FORMAT: 'twiml' }
  let trunkPeer: RtpPeer
  let trunk: SipUdpCallee
  // the SIP_TRUNK callee exists before livecall starts (its port goes into the environment)
  beforeAll(async () => {
    trunkPeer = await RtpPeer.create({ payload: { kind: 'tone', freq: 1200 } })
    trunk = await SipUdpCallee.create({ peer: trunkPeer })
    env.SIP_TRUNK = trunk.uri('trunk').replace(/^sip:trunk@/, 'sip:')
  })
  afterAll(async () => {
    trunk.close()
    await trunkPeer.close()
  })
  const h = useLivecall({ env })

  it('the voice URL gets Twilio form parameters with a valid X-Twilio-Signature; Say and Hangup run; status callbacks in Twilio shape', async () => {
    const c = await callXml(h(), '<Response><Say voice="alice" language="en-US">Hello from an XML application.</Say><Hangup/></Response>')
    try {
      await waitForSound(c.peer, 0)
      await c.phone.waitFor((m) => m.startsWith('BYE '), 20_000, 'BYE')
      expect(c.req.method).toBe('POST')
      expect(c.req.body).toMatchObject({ AccountSid: ACCOUNT, CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' })
      for (const k of ['CallSid', 'From', 'To', 'CallerName', 'SipCallId']) expect(c.req.body, k).toHaveProperty(k)
      expectTwilioSigned(h().scaffold, c.req)
      await h().scaffold.waitFor((r) => r.path === '/status' && r.body?.CallSid === c.sid && r.body?.CallStatus === 'completed', 10_000, 'completed callback')
      expect(twilioStatuses(h().scaffold, '/status', c.sid)).toEqual(['ringing', 'in-progress', 'completed'])
      const done = h().scaffold.requests('/status').at(-1)!
      expect(done.body).toMatchObject({ CallbackSource: 'call-progress-events', SipResponseCode: '200' })
      expect(Number(done.body.CallDuration)).toBeGreaterThanOrEqual(1)
      expectTwilioSigned(h().scaffold, done)
    } finally {
      await c.close()
    }
  }, 30_000)

  it('Play (loop), Pause and Play digits: the caller hears the file twice and gets RFC 4733 events', async () => {
    h().scaffold.route('/audio/tone.wav', { status: 200, body: makeWav({ rate: 8000, encoding: 'pcm16', seconds: 0.6, signal: sine(600) }), contentType: 'audio/wav' })
    const c = await callXml(h(), `<Response><Play loop="2">${h().scaffold.url('/audio/tone.wav')}</Play><Pause length="1"/><Play digits="19"/><Hangup/></Response>`)
    try {
      await waitForTone(c.peer, 600, { timeoutMs: 10_000 })
      await c.phone.waitFor((m) => m.startsWith('BYE '), 20_000, 'BYE')
      const toneMs = c.peer.audio().filter((p) => hearsTone(c.peer, 600, { since: p.at, until: p.at + 1, minPackets: 1 })).length * 20
      expect(toneMs).toBeGreaterThanOrEqual(900) // two loops of 0.6 s
      expect(c.peer.received.some((p) => p.pt === c.peer.telephoneEventPt)).toBe(true)
    } finally {
      await c.close()
    }
  }, 30_000)

  it('Gather: digits go to the action URL as Digits (signed form); its document replaces the rest', async () => {
    h().scaffold.route('/gathered', xml('<Response><Say>You pressed four two.</Say><Hangup/></Response>'))
    const c = await callXml(h(), '<Response><Gather numDigits="2" action="/gathered" timeout="10"><Say>Please enter two digits.</Say></Gather><Say>never reached</Say></Response>')
    try {
      c.peer.sendDigit('4')
      c.peer.sendDigit('2')
      const r = await h().scaffold.waitFor((q) => q.path === '/gathered', 15_000, 'the Gather action')
      await c.phone.waitFor((m) => m.startsWith('BYE '), 20_000, 'BYE')
      expect(r.body).toMatchObject({ CallSid: c.sid, Digits: '42', CallStatus: 'in-progress' })
      expectTwilioSigned(h().scaffold, r)
    } finally {
      await c.close()
    }
  }, 30_000)

  it('Gather without input goes on with the next verb and does not request the action (Twilio default)', async () => {
    const c = await callXml(h(), '<Response><Gather timeout="1" action="/never"/><Redirect method="GET">/after-gather</Redirect></Response>')
    try {
      h().scaffold.route('/after-gather', xml('<Response><Hangup/></Response>'))
      const r = await h().scaffold.waitFor((q) => q.path === '/after-gather', 15_000, 'the Redirect after the Gather')
      await c.phone.waitFor((m) => m.startsWith('BYE '), 20_000, 'BYE')
      expect(r.method).toBe('GET')
      expect(r.query).toMatchObject({ CallSid: c.sid, Direction: 'inbound' })
      expectTwilioSigned(h().scaffold, r)
      expect(h().scaffold.requests('/never')).toHaveLength(0)
    } finally {
      await c.close()
    }
  }, 30_000)

  it('Dial Sip with action, callerId, timeout: bridged (tones both ways); when the callee hangs up the action gets DialCallStatus/DialCallSid/DialCallDuration', async () => {
    const bPeer = await RtpPeer.create({ payload: { kind: 'tone', freq: 1200 } })
    const b = await SipUdpCallee.create({ peer: bPeer })
    h().scaffold.route('/dialed', xml('<Response><Hangup/></Response>'))
    const c = await callXml(h(), `<Response><Dial action="/dialed" callerId="+15557654321" timeout="20" answerOnBridge="true"><Sip>${b.uri('bob')}</Sip></Dial></Response>`, { tone: 700 })
    try {
      const leg = await b.waitForCall('answered')
      expect(leg.invite).toMatch(/^From:.*\+15557654321/m)
      bPeer.start()
      await waitForTone(bPeer, 700, { timeoutMs: 5000 })
      await waitForTone(c.peer, 1200, { timeoutMs: 5000 })
      await b.bye()
      const r = await h().scaffold.waitFor((q) => q.path === '/dialed', 10_000, 'the Dial action')
      expect(r.body).toMatchObject({ CallSid: c.sid, DialCallStatus: 'completed' })
      expect(r.body.DialCallSid).toMatch(/\S/)
      expect(Number(r.body.DialCallDuration)).toBeGreaterThanOrEqual(0)
      await c.phone.waitFor((m) => m.startsWith('BYE '), 10_000, 'BYE to the caller')
    } finally {
      await c.close()
      b.close()
      await bPeer.close()
    }
  }, 30_000)

  it('Dial Number goes to SIP_TRUNK; with no action the next verb runs after the dial', async () => {
    const c = await callXml(h(), '<Response><Dial><Number>+15551230000</Number></Dial><Say>The dial is over.</Say><Hangup/></Response>', { tone: 700 })
    try {
      const leg = await trunk.waitForCall('answered')
      expect(leg.invite).toMatch(/^INVITE sip:\+15551230000@127\.0\.0\.1:\d+/)
      trunkPeer.start()
      await waitForTone(c.peer, 1200, { timeoutMs: 5000 })
      await trunk.bye()
      trunkPeer.stop()
      const t0 = nowMs()
      await waitForSound(c.peer, t0)
      await c.phone.waitFor((m) => m.startsWith('BYE '), 20_000, 'BYE')
    } finally {
      await c.close()
    }
  }, 30_000)

  it('Dial Conference: two callers meet in a room (each hears the other); endConferenceOnExit ends it for the other, whose Dial action runs', async () => {
    h().scaffold.route('/conf-done', xml('<Response><Hangup/></Response>'))
    const a = await callXml(h(), '<Response><Dial action="/conf-done"><Conference startConferenceOnEnter="true">room-x</Conference></Dial></Response>', { tone: 700 })
    const b = await callXml(h(), '<Response><Dial><Conference endConferenceOnExit="true">room-x</Conference></Dial></Response>', { tone: 1200 })
    try {
      await waitForTone(a.peer, 1200, { timeoutMs: 8000 })
      await waitForTone(b.peer, 700, { timeoutMs: 8000 })
      await b.phone.bye()
      const r = await h().scaffold.waitFor((q) => q.path === '/conf-done', 10_000, 'the Dial action of the other member')
      expect(r.body.CallSid).toBe(a.sid)
      await a.phone.waitFor((m) => m.startsWith('BYE '), 10_000, 'BYE to the other member')
    } finally {
      await a.close()
      await b.close()
    }
  }, 40_000)

  it('Dial Conference waitUrl: a member who cannot start the room hears the XML wait document until a starter joins', async () => {
    h().scaffold.route('/audio/wait.wav', { status: 200, body: makeWav({ rate: 8000, encoding: 'pcm16', seconds: 0.5, signal: sine(600) }), contentType: 'audio/wav' })
    h().scaffold.route('/wait-music', xml(`<Response><Play>${h().scaffold.url('/audio/wait.wav')}</Play><Pause length="0"/></Response>`))
    const a = await callXml(h(), '<Response><Dial><Conference startConferenceOnEnter="false" waitUrl="/wait-music" waitMethod="POST">room-w</Conference></Dial><Hangup/></Response>', { tone: 700 })
    try {
      await waitForTone(a.peer, 600, { timeoutMs: 8000 })
      const wait = h().scaffold.requests('/wait-music')[0]
      expect(wait.body).toMatchObject({ CallSid: a.sid, Direction: 'inbound' })
      expectTwilioSigned(h().scaffold, wait)
      const b = await callXml(h(), '<Response><Dial><Conference endConferenceOnExit="true">room-w</Conference></Dial></Response>', { tone: 1200 })
      try {
        await waitForTone(a.peer, 1200, { timeoutMs: 8000 })
        await b.phone.bye()
        await a.phone.waitFor((m) => m.startsWith('BYE '), 10_000, 'BYE once the room ended')
      } finally {
        await b.close()
      }
    } finally {
      await a.close()
    }
  }, 40_000)

  it('a document is answered as it starts (a leading Pause is silence on an answered call), as Twilio does', async () => {
    const c = await callXml(h(), '<Response><Pause length="1"/><Hangup/></Response>')
    try {
      expect(c.final).toMatch(/^SIP\/2\.0 200 /)
      await c.phone.waitFor((m) => m.startsWith('BYE '), 10_000, 'BYE after the pause')
    } finally {
      await c.close()
    }
  }, 30_000)

  it('Reject: reason busy → 486, default → 603; nothing is answered', async () => {
    const busy = await callXml(h(), '<Response><Reject reason="busy"/></Response>', { expectAnswer: false })
    expect(busy.final).toMatch(/^SIP\/2\.0 486 /)
    await busy.close()
    const rejected = await callXml(h(), '<Response><Reject/></Response>', { expectAnswer: false })
    expect(rejected.final).toMatch(/^SIP\/2\.0 603 /)
    await rejected.close()
    await h().scaffold.waitFor((q) => q.path === '/status' && q.body?.CallSid === rejected.sid && q.body?.CallStatus === 'failed', 10_000, 'final callback')
    await h().scaffold.waitFor((q) => q.path === '/status' && q.body?.CallSid === busy.sid && q.body?.CallStatus === 'busy', 10_000, 'busy callback')
  }, 30_000)

  it('Redirect fetches the next document (POST with the call parameters) and Record writes RECORDINGS_DIR/<CallSid>-1.wav', async () => {
    h().scaffold.route('/next', xml('<Response><Say>This is the next document, and it is being recorded.</Say><Hangup/></Response>'))
    const c = await callXml(h(), '<Response><Record playBeep="false"/><Redirect>/next</Redirect></Response>')
    try {
      await c.phone.waitFor((m) => m.startsWith('BYE '), 20_000, 'BYE')
      const [r] = h().scaffold.requests('/next')
      expect(r.body).toMatchObject({ CallSid: c.sid, CallStatus: 'in-progress' })
      expectTwilioSigned(h().scaffold, r)
      const file = join(h().recordingsDir, `${c.sid}-1.wav`)
      await waitUntil(() => existsSync(file) && statSync(file).size > 8000, 10_000, 'the recording')
    } finally {
      await c.close()
    }
  }, 30_000)

  it('an invalid XML document or an unsupported verb ends the call before anything runs (500, nothing heard)', async () => {
    for (const doc of ['<Response><Say>unclosed</Response>', '<Response><Say>first</Say><Enqueue>support</Enqueue></Response>', '<Response><Dial><Client>alice</Client></Dial></Response>']) {
      const c = await callXml(h(), doc, { expectAnswer: false })
      expect(c.final).toMatch(/^SIP\/2\.0 500 /)
      expect(c.peer.audio()).toHaveLength(0)
      await c.close()
      await h().scaffold.waitFor((q) => q.path === '/status' && q.body?.CallSid === c.sid && q.body?.CallStatus === 'failed', 10_000, 'failed callback')
    }
  }, 30_000)
})
