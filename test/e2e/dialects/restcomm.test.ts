import { describe, expect, it } from 'vitest'
import { waitForSilence, waitForTone } from '../../support/audio-check.js'
import { ACCOUNT, API_KEY, callBridged, callIn } from '../../support/control-call.js'
import type { LivecallHarness } from '../../support/livecall-harness.js'
import { useLivecall } from '../../support/livecall-harness.js'
import { expectTwilioSigned, nowMs, waitForSound, xml } from './twiml-helpers.js'

const BASIC = `Basic ${Buffer.from(`${ACCOUNT}:${API_KEY}`).toString('base64')}`

/** A Restcomm live call modification: POST form to /restcomm/2012-04-24/Accounts/{sid}/Calls.json/{CallSid} (seed 001). */
async function modify(h: LivecallHarness, sid: string, params: Record<string, string>, auth = BASIC): Promise<{ status: number; body: any }> {
  const res = await fetch(`${h.baseUrl}/restcomm/2012-04-24/Accounts/${ACCOUNT}/Calls.json/${sid}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  })
  return { status: res.status, body: await res.json() }
}

describe('Restcomm live call modification (seed 001)', () => {
  const h = useLivecall()

  it('Url redirects the call to a new RCML application (signed form request; the caller hears the Say); the answer is the call resource', async () => {
    const call = await callIn(h(), [{ verb: 'answer' }, { verb: 'pause', length: 60 }])
    try {
      h().scaffold.route('/rcml/alice', xml('<Response><Say>Transferring you to Alice.</Say><Hangup/></Response>'))
      const t0 = nowMs()
      const res = await modify(h(), call.sid, { Url: h().scaffold.url('/rcml/alice') })
      expect(res.status).toBe(200)
      expect(res.body).toMatchObject({ sid: call.sid, account_sid: ACCOUNT, status: 'in-progress', api_version: '2012-04-24', uri: `/restcomm/2012-04-24/Accounts/${ACCOUNT}/Calls/${call.sid}.json` })
      await waitForSound(call.peer, t0)
      await call.phone.waitFor((m) => m.startsWith('BYE '), 20_000, 'BYE')
      const [req] = h().scaffold.requests('/rcml/alice')
      expect(req.body).toMatchObject({ CallSid: call.sid, Direction: 'inbound', CallStatus: 'in-progress' })
      expectTwilioSigned(h().scaffold, req)
    } finally {
      await call.end()
    }
  }, 40_000)

  it('Mute=true silences the caller at the callee (RTP), Mute=false brings it back; the caller still hears the callee', async () => {
    const call = await callBridged(h())
    try {
      await waitForTone(call.calleePeer, 700, { timeoutMs: 5000 })
      expect((await modify(h(), call.sid, { Mute: 'true' })).status).toBe(200)
      await waitForSilence(call.calleePeer, { timeoutMs: 3000 })
      await waitForTone(call.peer, 1200, { timeoutMs: 3000 })
      expect((await modify(h(), call.sid, { Mute: 'false' })).status).toBe(200)
      await waitForTone(call.calleePeer, 700, { timeoutMs: 3000 })
    } finally {
      await call.end()
    }
  }, 40_000)

  it('MoveConnectedCallLeg=true moves both legs of the dial to the new Url: each runs it (inbound and outbound-dial requests) and hears its Say', async () => {
    const call = await callBridged(h())
    try {
      h().scaffold.route('/rcml/both', xml('<Response><Say>Both legs moved here.</Say><Hangup/></Response>'))
      // both parties fall silent, so what each hears next can only be its own new app
      call.peer.stop()
      call.calleePeer.stop()
      await waitForSilence(call.peer, { timeoutMs: 3000 })
      await waitForSilence(call.calleePeer, { timeoutMs: 3000 })
      const t0 = nowMs()
      const res = await modify(h(), call.sid, { Url: h().scaffold.url('/rcml/both'), MoveConnectedCallLeg: 'true' })
      expect(res.status).toBe(200)
      const reqs = h().scaffold.requests('/rcml/both')
      expect(reqs.map((r) => r.body.CallSid).sort()).toEqual([call.sid, call.child].sort())
      expect(reqs.find((r) => r.body.CallSid === call.child)!.body).toMatchObject({ Direction: 'outbound-dial', ParentCallSid: call.sid })
      expect(reqs.find((r) => r.body.CallSid === call.sid)!.body).toMatchObject({ Direction: 'inbound' })
      await waitForSound(call.peer, t0)
      await waitForSound(call.calleePeer, t0)
      await call.phone.waitFor((m) => m.startsWith('BYE '), 20_000, 'BYE to the caller')
      await call.callee.waitFor((m) => m.startsWith('BYE '), 20_000, 'BYE to the callee')
    } finally {
      await call.end()
    }
  }, 40_000)

  it('Status=completed hangs up the call (BYE to both legs); errors in Twilio shape (401, 404, 400 naming the field, Mute without a dial 409)', async () => {
    const lone = await callIn(h(), [{ verb: 'answer' }, { verb: 'pause', length: 60 }])
    try {
      const muted = await modify(h(), lone.sid, { Mute: 'true' })
      expect(muted).toMatchObject({ status: 409, body: { code: 21220, status: 409 } })
      expect((await modify(h(), lone.sid, { Mute: 'maybe' })).body).toMatchObject({ status: 400, message: expect.stringMatching(/Mute must be true or false/) })
      expect((await modify(h(), lone.sid, { MoveConnectedCallLeg: 'true' })).body.message).toMatch(/MoveConnectedCallLeg needs Url/)
      expect((await modify(h(), lone.sid, { Url: h().scaffold.url('/x') }, `Basic ${Buffer.from(`${ACCOUNT}:nope`).toString('base64')}`))).toMatchObject({ status: 401, body: { code: 20003 } })
      expect(await modify(h(), 'no-such-call', { Status: 'completed' })).toMatchObject({ status: 404, body: { code: 20404, more_info: 'https://www.twilio.com/docs/errors/20404' } })
    } finally {
      await lone.end()
    }
    const call = await callBridged(h())
    try {
      const res = await modify(h(), call.sid, { Status: 'completed' })
      expect(res).toMatchObject({ status: 200, body: { sid: call.sid, status: 'completed' } })
      await call.phone.waitFor((m) => m.startsWith('BYE '), 10_000, 'BYE to the caller')
      await call.callee.waitFor((m) => m.startsWith('BYE '), 10_000, 'BYE to the callee')
    } finally {
      await call.end()
    }
  }, 40_000)
})
