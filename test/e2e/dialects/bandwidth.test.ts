import { readFile } from 'node:fs/promises'
import { MPEGDecoder } from 'mpg123-decoder'
import Bandwidth from 'node-bandwidth'
import { describe, expect, it } from 'vitest'
import { decodeWav } from '../../../src/media/embedded/audio/wav-decoder.js'
import { hearsTone, heard, rms, waitForTone } from '../../support/audio-check.js'
import { ACCOUNT, API_KEY, api, callBridged, callIn, waitUntil } from '../../support/control-call.js'
import { useLivecall, type LivecallHarness } from '../../support/livecall-harness.js'
import { RtpPeer, toneRatio } from '../../support/rtp-peer.js'
import { SipUdpCallee } from '../../support/sip-udp-callee.js'

const RINGING_APP = [{ verb: 'pause', length: 10 }]
const ANSWERED_APP = [{ verb: 'answer' }, { verb: 'pause', length: 30 }]

/** node-bandwidth as a Bandwidth v1 app uses it: userId and apiToken are ACCOUNT_SID, apiSecret is API_KEY. */
const clientOf = (h: LivecallHarness, apiSecret = API_KEY) => new Bandwidth({ userId: ACCOUNT, apiToken: ACCOUNT, apiSecret, baseUrl: h.baseUrl })

const basic = `Basic ${Buffer.from(`${ACCOUNT}:${API_KEY}`).toString('base64')}`
const callPath = (id: string) => `/v1/users/${ACCOUNT}/calls/${id}`

/** node-bandwidth rejects with UnexpectedResponseError { statusCode, message } */
async function refused(p: Promise<unknown>): Promise<{ statusCode: number; message: string }> {
  try {
    await p
  } catch (err) {
    return err as { statusCode: number; message: string }
  }
  throw new Error('the request was expected to fail')
}

/** share of a channel's power at `freq` (Goertzel over the whole float signal) */
function share(samples: Float32Array, freq: number, rate: number): number {
  const pcm = new Int16Array(samples.length)
  for (let i = 0; i < samples.length; i++) pcm[i] = Math.round(samples[i] * 32767)
  return toneRatio(pcm, freq, rate)
}

/** Seed 004 (Bandwidth v1 "Update active Call") through the real node-bandwidth client, over SIP and RTP. */
describe('the Bandwidth v1 dialect through node-bandwidth', () => {
  const h = useLivecall()

  it('rejected: the ringing caller gets 603 Decline; then the call is gone (404 in Bandwidth\'s error shape)', async () => {
    const call = await callIn(h(), RINGING_APP, { answered: false })
    try {
      await clientOf(h()).Call.reject(call.sid)
      expect(await call.final).toMatch(/^SIP\/2\.0 603 /)
      const gone = await api(h(), 'GET', callPath(call.sid), undefined, { auth: basic })
      expect(gone.status).toBe(404)
      expect(gone.body).toMatchObject({ category: 'not-found', code: 'call-not-found' })
      expect(gone.body.message).toContain(call.sid)
    } finally {
      await call.end()
    }
  }, 30_000)

  it('active answers a call its app left ringing; GET shows it active; active again and rejected are 409; completed sends BYE', async () => {
    const call = await callIn(h(), RINGING_APP, { answered: false })
    try {
      const client = clientOf(h())
      const ringing = await client.Call.get(call.sid)
      expect(ringing).toMatchObject({ id: call.sid, direction: 'in', state: 'started', recordingEnabled: false, chargeableDuration: 0 })
      await client.Call.answer(call.sid)
      const ok = await call.final
      expect(ok).toMatch(/^SIP\/2\.0 200 /)
      call.phone.ack(ok)
      const active = await client.Call.get(call.sid)
      expect(active).toMatchObject({ id: call.sid, direction: 'in', state: 'active' })
      expect(Date.parse(active.activeTime as string)).toBeGreaterThanOrEqual(Date.parse(active.startTime as string))

      const again = await refused(client.Call.answer(call.sid))
      expect(again.statusCode).toBe(409)
      expect(again.message).toMatch(/still ringing/)
      const late = await refused(client.Call.reject(call.sid))
      expect(late.statusCode).toBe(409)
      const raw = await api(h(), 'POST', callPath(call.sid), { state: 'rejected' }, { auth: basic })
      expect(raw.body).toMatchObject({ category: 'conflict', code: 'call-state-conflict' })

      await client.Call.hangup(call.sid)
      await call.phone.waitFor((m) => m.startsWith('BYE '), 5000, 'BYE to the caller')
      expect((await refused(client.Call.hangup(call.sid))).statusCode).toBe(404)
    } finally {
      await call.end()
    }
  }, 30_000)

  it('400 names the field; 401 for a wrong apiSecret or an apiToken that is not the userId; nothing changes', async () => {
    const call = await callIn(h(), ANSWERED_APP)
    try {
      const client = clientOf(h())
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ state: 'ringing' }, /state/],
        [{ recordingEnabled: 'yes' }, /recordingEnabled/],
        [{ recordingEnabled: true, recordingFileFormat: 'ogg' }, /recordingFileFormat/],
        [{ state: 'transferring' }, /transferTo/],
        [{ state: 'transferring', transferTo: 'not a number' }, /transferTo/],
        [{ state: 'transferring', transferTo: '+15551234567', callbackUrl: 'ftp://x' }, /callbackUrl/],
        [{ state: 'transferring', transferTo: 'sip:x@127.0.0.1', whisperAudio: { gender: 'female' } }, /whisperAudio/],
        [{ state: 'completed', transferTo: '+15551234567' }, /transferTo/],
        [{ color: 'blue' }, /color/],
      ]
      for (const [body, field] of cases) {
        const err = await refused(client.Call.update(call.sid, body))
        expect(err.statusCode, JSON.stringify(body)).toBe(400)
        expect(err.message, JSON.stringify(body)).toMatch(field)
      }
      const raw = await api(h(), 'POST', callPath(call.sid), { state: 'ringing' }, { auth: basic })
      expect(raw.body).toMatchObject({ category: 'bad-request', code: 'invalid-request' })

      expect((await refused(clientOf(h(), 'wrong-secret').Call.get(call.sid))).statusCode).toBe(401)
      const otherToken = new Bandwidth({ userId: ACCOUNT, apiToken: 'someone-else', apiSecret: API_KEY, baseUrl: h().baseUrl })
      expect((await refused(otherToken.Call.hangup(call.sid))).statusCode).toBe(401)
      const noAuth = await api(h(), 'POST', callPath(call.sid), { state: 'completed' }, { auth: null })
      expect(noAuth.status).toBe(401)
      expect(noAuth.body).toMatchObject({ category: 'authentication' })
      expect((await client.Call.get(call.sid)).state).toBe('active')
      expect(call.phone.messages.some((m) => m.startsWith('BYE '))).toBe(false)
    } finally {
      await call.end()
    }
  }, 30_000)

  it('create → 201 + Location, answer event at callbackUrl; transferring whispers to the target, then bridges both ways; 201 + Location; events at each callbackUrl', async () => {
    const aPeer = await RtpPeer.create({ payload: { kind: 'tone', freq: 700 } })
    const a = await SipUdpCallee.create({ peer: aPeer })
    const bPeer = await RtpPeer.create({ payload: { kind: 'tone', freq: 1200 } })
    const b = await SipUdpCallee.create({ peer: bPeer })
    try {
      const client = clientOf(h())
      const created = await client.Call.create({ from: '+15550001111', to: a.uri(), callbackUrl: h().scaffold.url('/bw-a'), tag: 'order-42' })
      await a.waitForCall('answered')
      aPeer.start()
      const answer = await h().scaffold.waitFor((r) => r.path === '/bw-a' && r.body?.eventType === 'answer', 10_000, 'answer event')
      expect(answer.body).toMatchObject({
        callId: created.id,
        callUri: `${h().baseUrl}${callPath(created.id)}`,
        from: '+15550001111',
        callState: 'active',
        tag: 'order-42',
      })
      expect(await client.Call.get(created.id)).toMatchObject({ id: created.id, direction: 'out', state: 'active', callbackUrl: h().scaffold.url('/bw-a') })

      const res = await fetch(`${h().baseUrl}${callPath(created.id)}`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/json' },
        body: JSON.stringify({
          state: 'transferring',
          transferTo: b.uri(),
          transferCallerId: '+15550002222',
          whisperAudio: { sentence: 'You have a transferred call from order forty two.', gender: 'female', locale: 'en_US' },
          callbackUrl: h().scaffold.url('/bw-b'),
        }),
      })
      expect(res.status, await res.text()).toBe(201)
      const location = res.headers.get('location') ?? ''
      expect(location).toMatch(new RegExp(`^${h().baseUrl}/v1/users/${ACCOUNT}/calls/[^/]+$`))
      const newId = location.slice(location.lastIndexOf('/') + 1)
      expect(await newCallId(h(), created.id)).toBe(newId)
      const legB = await b.waitForCall('answered')
      expect(legB.invite).toMatch(/^From:.*\+15550002222/m)

      // the target hears the whisper (speech, not the caller's tone) before it is connected …
      await bPeer.waitFor(() => rms(heard(bPeer, { lastMs: 300 })) > 300 && !hearsTone(bPeer, 700, { lastMs: 300, minRatio: 0.3 }), 10_000, 'the whisper at the target')
      // … then caller and target hear each other
      await waitForTone(bPeer, 700, { timeoutMs: 15_000 })
      bPeer.start()
      await waitForTone(aPeer, 1200, { timeoutMs: 5000 })

      const complete = await h().scaffold.waitFor((r) => r.path === '/bw-a' && r.body?.eventType === 'transferComplete', 10_000, 'transferComplete')
      expect(complete.body).toMatchObject({ callId: created.id, transferredCallId: newId })
      const bAnswer = await h().scaffold.waitFor((r) => r.path === '/bw-b' && r.body?.eventType === 'answer', 10_000, 'answer event of the new call')
      expect(bAnswer.body).toMatchObject({ callId: newId, callUri: `${h().baseUrl}${callPath(newId)}`, to: expect.any(String) as unknown, callState: 'active' })
      expect(await client.Call.get(newId)).toMatchObject({ id: newId, direction: 'out', state: 'active', callbackUrl: h().scaffold.url('/bw-b') })

      // hanging up the new call ends the transferred call too
      await client.Call.hangup(newId)
      await b.waitFor((m) => m.startsWith('BYE '), 5000, 'BYE to the target')
      await a.waitFor((m) => m.startsWith('BYE '), 5000, 'BYE to the transferred party')
      const hangupB = await h().scaffold.waitFor((r) => r.path === '/bw-b' && r.body?.eventType === 'hangup', 10_000, 'hangup event of the new call')
      expect(hangupB.body).toMatchObject({ callId: newId, callState: 'completed', cause: 'NORMAL_CLEARING' })
      await h().scaffold.waitFor((r) => r.path === '/bw-a' && r.body?.eventType === 'hangup', 10_000, 'hangup event of the first call')
    } finally {
      a.close()
      b.close()
      await aPeer.close()
      await bPeer.close()
    }
  }, 60_000)

  it('transferring through client.Call.transfer gives the new call id from Location; 409 while the call is still ringing', async () => {
    const bPeer = await RtpPeer.create()
    const b = await SipUdpCallee.create({ peer: bPeer })
    const ringing = await callIn(h(), RINGING_APP, { answered: false })
    try {
      const client = clientOf(h())
      const early = await refused(client.Call.transfer(ringing.sid, { transferTo: b.uri() }))
      expect(early.statusCode).toBe(409)
      await client.Call.answer(ringing.sid)
      ringing.phone.ack(await ringing.final)
      const { id } = await client.Call.transfer(ringing.sid, { transferTo: b.uri() })
      await b.waitForCall('answered')
      // the target's 200 OK reaches livecall a moment after it leaves the target (through
      // drachtio-server in the production shape): the call turns active then
      await waitUntil(async () => (await client.Call.get(id)).state === 'active', 5000, 'the new call active')
      expect(await client.Call.get(id)).toMatchObject({ id, direction: 'out', state: 'active' })
      await client.Call.hangup(ringing.sid)
      await b.waitFor((m) => m.startsWith('BYE '), 5000, 'BYE to the target')
    } finally {
      await ringing.end()
      b.close()
      await bPeer.close()
    }
  }, 30_000)

  it('transferring a caller in a dial: the dialed leg gets BYE, the target is bridged with the caller instead', async () => {
    const call = await callBridged(h())
    const cPeer = await RtpPeer.create({ payload: { kind: 'tone', freq: 1500 } })
    const c = await SipUdpCallee.create({ peer: cPeer })
    try {
      await waitForTone(call.calleePeer, 700, { timeoutMs: 5000 })
      const { id } = await clientOf(h()).Call.transfer(call.sid, { transferTo: c.uri() })
      await call.callee.waitFor((m) => m.startsWith('BYE '), 5000, 'BYE to the previously dialed leg')
      await c.waitForCall('answered')
      cPeer.start()
      await waitForTone(cPeer, 700, { timeoutMs: 10_000 })
      await waitForTone(call.peer, 1500, { timeoutMs: 5000 })
      expect((await clientOf(h()).Call.get(id)).state).toBe('active')
    } finally {
      await call.end()
      c.close()
      await cPeer.close()
    }
  }, 30_000)

  for (const format of ['wav', 'mp3'] as const) {
    it(`recordingEnabled "true" / false with recordingFileFormat ${format}: a playable ${format.toUpperCase()} of the call`, async () => {
      const call = await callIn(h(), ANSWERED_APP, { tone: 700 })
      try {
        const client = clientOf(h())
        await client.Call.update(call.sid, { recordingEnabled: 'true', recordingFileFormat: format })
        expect((await client.Call.get(call.sid)).recordingEnabled).toBe(true)
        expect((await refused(client.Call.enableRecording(call.sid))).statusCode).toBe(409)
        const sent0 = call.peer.sent
        await call.peer.waitFor(() => call.peer.sent >= sent0 + 60, 10_000, '1.2 s of the caller')
        await client.Call.disableRecording(call.sid)
        expect((await client.Call.get(call.sid)).recordingEnabled).toBe(false)
        const status = await h().scaffold.waitFor((r) => r.path === '/status' && r.body?.call_sid === call.sid && r.body?.recording !== undefined, 10_000, 'recording callback')
        const path = status.body.recording.path as string
        expect(path.endsWith(`.${format}`)).toBe(true)
        const bytes = new Uint8Array(await readFile(path))
        let channel: Float32Array
        let rate: number
        if (format === 'wav') {
          const wav = decodeWav(bytes)
          rate = wav.sampleRate
          channel = wav.samples.filter((_, i) => i % wav.channelCount === 0)
        } else {
          const decoder = new MPEGDecoder()
          await decoder.ready
          const mp3 = decoder.decode(bytes)
          decoder.free()
          expect(mp3.errors).toEqual([])
          rate = mp3.sampleRate
          channel = mp3.channelData[0]
        }
        expect(channel.length / rate).toBeGreaterThan(0.8)
        // the caller's 700 Hz tone is in the file
        expect(share(channel, 700, rate)).toBeGreaterThan(0.2)
        expect((await refused(client.Call.disableRecording(call.sid))).statusCode).toBe(409)
      } finally {
        await call.end()
      }
    }, 30_000)
  }
})

/** The transfer's new leg: the one call listed with `parent` as its parent (native list, same account). */
async function newCallId(h: LivecallHarness, parent: string): Promise<string> {
  let id = ''
  await waitUntil(async () => {
    const list = (await api(h, 'GET', `/v1/Accounts/${ACCOUNT}/Calls`)).body as { call_sid: string; parent_call_sid: string | null }[]
    id = list.find((c) => c.parent_call_sid === parent)?.call_sid ?? ''
    return id !== ''
  }, 10_000, 'the transfer target leg')
  return id
}
