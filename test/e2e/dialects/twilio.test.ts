import { RestClient } from '@signalwire/compatibility-api'
import twilio from 'twilio'
import { describe, expect, it } from 'vitest'
import { ACCOUNT, API_KEY, callIn, waitUntil } from '../../support/control-call.js'
import { useLivecall } from '../../support/livecall-harness.js'
import { RtpPeer } from '../../support/rtp-peer.js'
import { SipUdpCallee } from '../../support/sip-udp-callee.js'
import { expectTwilioSigned, nowMs, twilioStatuses, waitForSound, xml } from './twiml-helpers.js'

const HOLD = [{ verb: 'answer' }, { verb: 'pause', length: 60 }]

/**
 * Seed 003 (SignalWire LaML / Twilio): the `twilio` npm client and
 * @signalwire/compatibility-api, pointed at livecall, drive calls over real SIP.
 */
describe('Twilio / SignalWire LaML Calls API through the real clients', () => {
  const h = useLivecall()
  const client = () => {
    const c = twilio(ACCOUNT, API_KEY)
    c.api.baseUrl = h().baseUrl
    return c
  }

  it('update Url: the call runs the new XML document (signed form request, the caller hears the Say, then BYE); fetch and list', async () => {
    const call = await callIn(h(), HOLD)
    try {
      const fetched = await client().calls(call.sid).fetch()
      expect(fetched).toMatchObject({ sid: call.sid, accountSid: ACCOUNT, status: 'in-progress', direction: 'inbound', apiVersion: '2010-04-01', parentCallSid: null })
      expect(fetched.dateCreated).toBeInstanceOf(Date)
      expect(fetched.uri).toBe(`/2010-04-01/Accounts/${ACCOUNT}/Calls/${call.sid}.json`)
      const listed = await client().calls.list()
      expect(listed.map((c) => c.sid)).toContain(call.sid)

      h().scaffold.route('/twiml/next', xml('<Response><Say>You have been redirected to a new application.</Say><Hangup/></Response>'))
      const t0 = nowMs()
      const updated = await client().calls(call.sid).update({ url: h().scaffold.url('/twiml/next'), method: 'POST' })
      expect(updated).toMatchObject({ sid: call.sid, status: 'in-progress', direction: 'inbound' })
      await waitForSound(call.peer, t0)
      await call.phone.waitFor((m) => m.startsWith('BYE '), 20_000, 'BYE after the new document')

      const [req] = h().scaffold.requests('/twiml/next')
      expect(req.method).toBe('POST')
      expect(req.body).toMatchObject({ CallSid: call.sid, AccountSid: ACCOUNT, CallStatus: 'in-progress', Direction: 'inbound', ApiVersion: '2010-04-01' })
      for (const k of ['From', 'To', 'CallerName']) expect(req.body, k).toHaveProperty(k)
      expectTwilioSigned(h().scaffold, req)
    } finally {
      await call.end()
    }
  }, 40_000)

  it('update Status completed sends BYE; the answer shows the call completed', async () => {
    const call = await callIn(h(), HOLD)
    try {
      const res = await client().calls(call.sid).update({ status: 'completed' })
      expect(res).toMatchObject({ sid: call.sid, status: 'completed' })
      await call.phone.waitFor((m) => m.startsWith('BYE '), 10_000, 'BYE')
      await expect(client().calls(call.sid).fetch()).rejects.toMatchObject({ status: 404, code: 20404 })
    } finally {
      await call.end()
    }
  }, 30_000)

  it('create + Status canceled: a ringing outbound call gets a CANCEL; Twilio-shaped status callbacks', async () => {
    const peer = await RtpPeer.create()
    const b = await SipUdpCallee.create({ peer, mode: { kind: 'ringForever' } })
    try {
      const created = await client().calls.create({ from: '+15550001111', to: b.uri('bob'), url: h().scaffold.url('/twiml/never'), statusCallback: h().scaffold.url('/twilio-status') })
      expect(created).toMatchObject({ direction: 'outbound-api', from: '+15550001111', to: 'bob', accountSid: ACCOUNT })
      expect(['queued', 'ringing']).toContain(created.status)
      await b.waitForCall('ringing')
      await h().scaffold.waitFor((r) => r.path === '/twilio-status' && r.body?.CallSid === created.sid && r.body?.CallStatus === 'ringing', 10_000, 'ringing callback')
      const res = await client().calls(created.sid).update({ status: 'canceled' })
      expect(res.status).toBe('canceled')
      await b.waitForCall('canceled')
      await h().scaffold.waitFor((r) => r.path === '/twilio-status' && r.body?.CallStatus === 'canceled', 10_000, 'canceled callback')
      expect(twilioStatuses(h().scaffold, '/twilio-status', created.sid)).toEqual(['queued', 'ringing', 'canceled'])
      const last = h().scaffold.requests('/twilio-status').at(-1)!
      expect(last.body).toMatchObject({ CallSid: created.sid, Direction: 'outbound-api', CallDuration: '0', ApiVersion: '2010-04-01' })
      expectTwilioSigned(h().scaffold, last)
      expect(h().scaffold.requests('/twiml/never')).toHaveLength(0)
    } finally {
      b.close()
      await peer.close()
    }
  }, 30_000)

  it('Status canceled is refused for an answered call (409, 21220) and the call goes on', async () => {
    const call = await callIn(h(), HOLD)
    try {
      await expect(client().calls(call.sid).update({ status: 'canceled' })).rejects.toMatchObject({ status: 409, code: 21220, moreInfo: 'https://www.twilio.com/docs/errors/21220' })
      expect((await client().calls(call.sid).fetch()).status).toBe('in-progress')
    } finally {
      await call.end()
    }
  }, 30_000)

  it('create runs the Url document when the callee answers (outbound-api form request); status callbacks ringing → in-progress → completed', async () => {
    const peer = await RtpPeer.create()
    const b = await SipUdpCallee.create({ peer })
    try {
      h().scaffold.route('/twiml/outbound', xml('<Response><Say>Hello from an outbound call.</Say><Hangup/></Response>'))
      const created = await client().calls.create({ from: '+15550002222', to: b.uri('carol'), url: h().scaffold.url('/twiml/outbound'), statusCallback: h().scaffold.url('/twilio-status'), statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'] })
      await b.waitFor((m) => m.startsWith('BYE '), 20_000, 'BYE after the app')
      expect(peer.audio().length).toBeGreaterThan(25)
      const [req] = h().scaffold.requests('/twiml/outbound')
      expect(req.body).toMatchObject({ CallSid: created.sid, Direction: 'outbound-api', From: '+15550002222', To: 'carol', CallStatus: 'in-progress' })
      expectTwilioSigned(h().scaffold, req)
      await h().scaffold.waitFor((r) => r.path === '/twilio-status' && r.body?.CallSid === created.sid && r.body?.CallStatus === 'completed', 10_000, 'completed callback')
      expect(twilioStatuses(h().scaffold, '/twilio-status', created.sid)).toEqual(['queued', 'ringing', 'in-progress', 'completed'])
    } finally {
      b.close()
      await peer.close()
    }
  }, 40_000)

  it('FallbackUrl: a Url answering an invalid document makes livecall request the fallback, whose document runs', async () => {
    const call = await callIn(h(), HOLD)
    try {
      h().scaffold.route('/twiml/broken', xml('<Response><Say>never closed</Response>'))
      h().scaffold.route('/twiml/fallback', xml('<Response><Say>This is the fallback application.</Say><Hangup/></Response>'))
      const t0 = nowMs()
      await client().calls(call.sid).update({ url: h().scaffold.url('/twiml/broken'), fallbackUrl: h().scaffold.url('/twiml/fallback'), fallbackMethod: 'POST' })
      await waitForSound(call.peer, t0)
      await call.phone.waitFor((m) => m.startsWith('BYE '), 20_000, 'BYE after the fallback')
      const [fb] = h().scaffold.requests('/twiml/fallback')
      expect(fb.body).toMatchObject({ CallSid: call.sid, ErrorCode: '12100', ErrorUrl: h().scaffold.url('/twiml/broken') })
      expectTwilioSigned(h().scaffold, fb)
    } finally {
      await call.end()
    }
  }, 40_000)

  it('a document with an unsupported verb is refused with the reason (12100 naming it) and the running app goes on; Twiml inline then runs', async () => {
    const call = await callIn(h(), HOLD)
    try {
      h().scaffold.route('/twiml/enqueue', xml('<Response><Say>first</Say><Enqueue>support</Enqueue></Response>'))
      const err = await client().calls(call.sid).update({ url: h().scaffold.url('/twiml/enqueue') }).catch((e: unknown) => e)
      expect(err).toMatchObject({ status: 502, code: 12100 })
      expect((err as Error).message).toMatch(/<Enqueue> is not supported/)
      expect((await client().calls(call.sid).fetch()).status).toBe('in-progress')

      const t0 = nowMs()
      await client().calls(call.sid).update({ twiml: '<Response><Say>An inline document.</Say><Hangup/></Response>' })
      await waitForSound(call.peer, t0)
      await call.phone.waitFor((m) => m.startsWith('BYE '), 20_000, 'BYE after the inline document')
    } finally {
      await call.end()
    }
  }, 40_000)

  it('errors in Twilio shape: wrong token 401 (20003), unknown call 404 (20404), invalid Twiml 400, bad Status 400', async () => {
    const bad = twilio(ACCOUNT, 'wrong-key')
    bad.api.baseUrl = h().baseUrl
    await expect(bad.calls.list()).rejects.toMatchObject({ status: 401, code: 20003 })
    await expect(client().calls('nope').fetch()).rejects.toMatchObject({ status: 404, code: 20404 })
    const call = await callIn(h(), HOLD)
    try {
      await expect(client().calls(call.sid).update({ twiml: '<Response><Dial><Client>bob</Client></Dial></Response>' })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/no SIP registrar/) })
      await expect(client().calls(call.sid).update({ status: 'busy' as never })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/Status must be canceled or completed/) })
    } finally {
      await call.end()
    }
  }, 30_000)

  it('@signalwire/compatibility-api: update Url and fetch under /api/laml', async () => {
    const call = await callIn(h(), HOLD)
    try {
      const sw = RestClient(ACCOUNT, API_KEY, { signalwireSpaceUrl: 'example.signalwire.com' })
      ;(sw.api as unknown as { baseUrl: string }).baseUrl = `${h().baseUrl}/api/laml`
      const fetched = await sw.calls(call.sid).fetch()
      expect(fetched).toMatchObject({ sid: call.sid, status: 'in-progress', uri: `/api/laml/2010-04-01/Accounts/${ACCOUNT}/Calls/${call.sid}.json` })
      h().scaffold.route('/laml/next', xml('<Response><Say>SignalWire redirected this call.</Say><Hangup/></Response>'))
      const t0 = nowMs()
      const updated = await sw.calls(call.sid).update({ url: h().scaffold.url('/laml/next'), method: 'POST' })
      expect(updated.sid).toBe(call.sid)
      await waitForSound(call.peer, t0)
      await call.phone.waitFor((m) => m.startsWith('BYE '), 20_000, 'BYE')
      expectTwilioSigned(h().scaffold, h().scaffold.requests('/laml/next')[0])
      await waitUntil(() => h().counts().calls === 0, 10_000, 'the call gone')
    } finally {
      await call.end()
    }
  }, 40_000)
})
