import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { heard, hearsTone, rms, waitForTone } from '../../support/audio-check.js'
import { ACCOUNT, API_KEY, OTHER_ACCOUNT, api, callIn, waitUntil, type ApiOptions } from '../../support/control-call.js'
import { useLivecall } from '../../support/livecall-harness.js'
import { RtpPeer } from '../../support/rtp-peer.js'
import { SipUdpCallee } from '../../support/sip-udp-callee.js'
import { sdpOf } from '../../support/sip-udp-phone.js'
import type { LivecallHarness } from '../../support/livecall-harness.js'

const run = promisify(execFile)
const CHANNEL = '3fa85f64-5717-4562-b3fc-2c963f66afa6'
const birdPath = (sid: string, workspace = ACCOUNT) => `/workspaces/${workspace}/channels/${CHANNEL}/calls/${sid}`
const AUTH: ApiOptions = { auth: `AccessKey ${API_KEY}` }
const patch = (h: LivecallHarness, sid: string, body: unknown, opts: ApiOptions = AUTH) => api(h, 'PATCH', birdPath(sid), body, opts)

/** The app a call runs before the PATCH: a 700 Hz prompt, looped for ever. */
const OLD_APP = [{ verb: 'play', url: 'tone_stream://700', loop: 'forever' }]
/** speech is arriving: the last 300 ms are loud and are not the old 700 Hz prompt */
const speaking = (peer: RtpPeer) => rms(heard(peer, { lastMs: 300 })) > 300 && !hearsTone(peer, 700, { lastMs: 300 })

/** Bird (seed 002): PATCH /workspaces/{workspaceId}/channels/{channelId}/calls/{callId} behind AccessKey. */
describe('the Bird dialect', () => {
  const h = useLivecall()

  it('a callFlow replaces the running app (the old prompt stops, the new playback is heard); status completed sends BYE; 202 with the call object', async () => {
    const c = await callIn(h(), OLD_APP)
    try {
      await waitForTone(c.peer, 700, { timeoutMs: 5000 })
      const got = await api(h(), 'GET', birdPath(c.sid), undefined, AUTH)
      expect(got.status).toBe(200)
      expect(got.body).toMatchObject({ id: c.sid, channelId: CHANNEL, direction: 'incoming', status: 'ongoing', type: 'sip' })

      const res = await patch(h(), c.sid, { callFlow: [{ command: 'playback', options: { media: ['tone_stream://1200'], loop: 1 } }] })
      expect(res.status).toBe(202)
      expect(res.body).toMatchObject({ id: c.sid, channelId: CHANNEL, direction: 'incoming', status: 'ongoing', type: 'sip' })
      expect(Date.parse(res.body.createdAt)).not.toBeNaN()
      expect(Date.parse(res.body.updatedAt)).not.toBeNaN()
      expect(Date.parse(res.body.answeredAt)).not.toBeNaN()
      await waitForTone(c.peer, 1200, { timeoutMs: 5000 })
      expect(hearsTone(c.peer, 700, { lastMs: 500 })).toBe(false)

      const done = await patch(h(), c.sid, { status: 'completed' })
      expect(done.status).toBe(202)
      expect(done.body).toMatchObject({ id: c.sid, status: 'completed' })
      expect(Date.parse(done.body.endedAt)).not.toBeNaN()
      await c.phone.waitFor((m) => m.startsWith('BYE '), 5000, 'BYE to the caller')
    } finally {
      await c.end()
    }
  }, 40_000)

  it('say then gather: the caller hears the prompt; RFC 4733 digits (maxNumKeys) end the gather and the flow goes on', async () => {
    const c = await callIn(h(), OLD_APP, { tone: 300 })
    try {
      await waitForTone(c.peer, 700, { timeoutMs: 5000 })
      const res = await patch(h(), c.sid, {
        callFlow: [
          { command: 'gather', options: { maxNumKeys: 2, timeout: 60, say: { text: 'Please enter two digits now. This prompt is long on purpose, so that it still plays when you type.', locale: 'en-US', voice: 'female' } } },
          { command: 'playback', options: { media: 'tone_stream://1200' } },
        ],
      })
      expect(res.status).toBe(202)
      await c.peer.waitFor(() => speaking(c.peer), 10_000, 'the gather prompt')
      c.peer.sendDigit('4', 100)
      c.peer.sendDigit('2', 100)
      // the two keys end the gather long before its 60 s timeout: the next command plays
      await waitForTone(c.peer, 1200, { timeoutMs: 15_000 })
    } finally {
      await c.end()
    }
  }, 40_000)

  it('bridge dials the SIP URI and bridges the caller with it: audio both ways; status completed ends both legs', async () => {
    const calleePeer = await RtpPeer.create({ payload: { kind: 'tone', freq: 1200 } })
    const callee = await SipUdpCallee.create({ peer: calleePeer })
    const c = await callIn(h(), OLD_APP, { tone: 900 })
    try {
      await waitForTone(c.peer, 700, { timeoutMs: 5000 })
      const res = await patch(h(), c.sid, { callFlow: [{ command: 'bridge', options: { to: callee.uri('bob'), from: '+15550001111', ringTimeout: 30 } }] })
      expect(res.status).toBe(202)
      await callee.waitForCall('answered')
      calleePeer.start()
      await waitForTone(calleePeer, 900, { timeoutMs: 5000 }) // the callee hears the caller
      await waitForTone(c.peer, 1200, { timeoutMs: 5000 }) // the caller hears the callee
      const invite = await callee.waitFor((m) => m.startsWith('INVITE '), 1000, 'INVITE')
      expect(invite).toMatch(/^From:.*\+15550001111/m)

      expect((await patch(h(), c.sid, { status: 'completed' })).status).toBe(202)
      await c.phone.waitFor((m) => m.startsWith('BYE '), 5000, 'BYE to the caller')
      await callee.waitFor((m) => m.startsWith('BYE '), 5000, 'BYE to the callee')
    } finally {
      await c.end()
      callee.close()
      await calleePeer.close()
    }
  }, 40_000)

  it("the docs' example 2 with curl: on a ringing call, 409 for completed; ringing, pause 2 s, answer and an announcement", async () => {
    const c = await callIn(h(), [{ verb: 'pause', length: 60 }], { answered: false })
    try {
      const early = await patch(h(), c.sid, { status: 'completed' })
      expect(early.status).toBe(409)
      expect(early.body).toMatchObject({ code: 'Conflict' })
      expect(early.body.message).toMatch(/answered/)

      const body = JSON.stringify({
        callFlow: [
          { command: 'ringing' },
          { command: 'pause', options: { length: 2 } },
          { command: 'answer' },
          { command: 'say', options: { text: 'Welcome to the livecall test line.', locale: 'en-US', voice: 'male' } },
          { command: 'hangup' },
        ],
      })
      const { stdout } = await run('curl', ['-sS', '-X', 'PATCH', `${h().baseUrl}${birdPath(c.sid)}`,
        '-H', `Authorization: AccessKey ${API_KEY}`, '-H', 'Content-Type: application/json', '-d', body, '-w', '\n%{http_code}'])
      const [json, code] = stdout.trim().split('\n')
      expect(code).toBe('202')
      expect(JSON.parse(json)).toMatchObject({ id: c.sid, direction: 'incoming' })

      await c.phone.waitFor((m) => /^SIP\/2\.0 180 /.test(m), 5000, '180 Ringing')
      const ok = await c.final
      expect(ok).toMatch(/^SIP\/2\.0 200 /)
      const ringingAt = c.phone.messages.findIndex((m) => /^SIP\/2\.0 180 /.test(m))
      expect(ringingAt).toBeLessThan(c.phone.messages.indexOf(ok))
      c.phone.ack(ok)
      c.peer.target(sdpOf(ok)).start()
      await c.peer.waitFor(() => speaking(c.peer), 10_000, 'the announcement')
      await c.phone.waitFor((m) => m.startsWith('BYE '), 15_000, 'BYE after the flow')
    } finally {
      await c.end()
    }
  }, 40_000)

  it('errors in Bird\'s shape: 401 without AccessKey, 404 unknown or other workspace, 400 naming the command/field (the old app keeps running), 409 after the call ended', async () => {
    const c = await callIn(h(), OLD_APP)
    try {
      await waitForTone(c.peer, 700, { timeoutMs: 5000 })
      const flow = { callFlow: [{ command: 'say', options: { text: 'hi' } }] }
      for (const auth of [null, `Bearer ${API_KEY}`, 'AccessKey wrong-key']) {
        const r = await patch(h(), c.sid, flow, { auth })
        expect(r.status).toBe(401)
        expect(r.body).toMatchObject({ code: 'Unauthorized' })
      }
      expect((await api(h(), 'PATCH', birdPath(c.sid, OTHER_ACCOUNT), flow, AUTH)).status).toBe(404)
      const unknown = await patch(h(), '00000000-0000-4000-8000-000000000000', flow)
      expect(unknown.status).toBe(404)
      expect(unknown.body).toMatchObject({ code: 'NotFound' })

      const bad = await patch(h(), c.sid, { callFlow: [{ command: 'say', options: { text: 'first' } }, { command: 'transfer', options: {} }] })
      expect(bad.status).toBe(400)
      expect(bad.body).toMatchObject({ code: 'InvalidPayload', details: { field: 'callFlow[1].command' } })
      expect(bad.body.message).toMatch(/transfer/)
      const noText = await patch(h(), c.sid, { callFlow: [{ command: 'say', options: { locale: 'en-US' } }] })
      expect(noText.body).toMatchObject({ code: 'InvalidPayload', details: { field: 'callFlow[0].options.text' } })
      const badMedia = await patch(h(), c.sid, { callFlow: [{ command: 'playback', options: { media: ['gopher://x'] } }] })
      expect(badMedia.status).toBe(400)
      expect(badMedia.body.message).toMatch(/callFlow\[0\] \(playback\).*unsupported url/)
      const speech = await patch(h(), c.sid, { callFlow: [{ command: 'gather', options: { input: 'speech' } }] })
      expect(speech.body).toMatchObject({ details: { field: 'callFlow[0].options.input' } })
      const both = await patch(h(), c.sid, { status: 'completed', ...flow })
      expect(both.body).toMatchObject({ code: 'InvalidPayload', details: { field: 'status' } })
      expect((await patch(h(), c.sid, { status: 'ringing' })).body).toMatchObject({ details: { field: 'status' } })
      expect((await patch(h(), c.sid, {})).status).toBe(400)
      // nothing of the refused flows ran: the caller still hears the old prompt
      await waitForTone(c.peer, 700, { timeoutMs: 3000 })

      // two hangups in a row: the second, queued behind the first, finds the call ended
      const [first, second] = await Promise.all([patch(h(), c.sid, { status: 'completed' }), patch(h(), c.sid, { status: 'completed' })])
      expect(first.status).toBe(202)
      expect([409, 404]).toContain(second.status)
      if (second.status === 409) expect(second.body).toMatchObject({ code: 'Conflict' })
      await waitUntil(async () => (await patch(h(), c.sid, { status: 'completed' })).status === 404, 10_000, 'the ended call forgotten')
    } finally {
      await c.end()
    }
  }, 40_000)
})
