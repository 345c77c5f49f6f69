import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { toneRatio, waitForTone } from '../../support/audio-check.js'
import { useLivecall, type LivecallHarness } from '../../support/livecall-harness.js'
import { createCaller, hookedSid, type Caller } from '../../support/parties.js'
import { LISTEN_PROTOCOL, WsListenServer } from '../../support/ws-listen-server.js'

/** a caller (phone + RTP peer sending a `freq` Hz tone), answered by the app */
async function caller(h: LivecallHarness, freq = 1000): Promise<Caller> {
  const c = await createCaller(h, { tone: freq })
  const final = await c.call()
  expect(final).toMatch(/^SIP\/2\.0 200 OK/)
  return c
}

/** 16-bit LE PCM of a `freq` Hz sine, `ms` long */
function sinePcm(freq: number, rate: number, ms: number): Buffer {
  const n = Math.round((rate * ms) / 1000)
  const buf = Buffer.alloc(n * 2)
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * freq * i) / rate)), i * 2)
  return buf
}

/**
 * Every binary frame is 20 ms of PCM (SPEC §7). The first may carry a whole number of 20 ms
 * frames: FreeSWITCH's mod_audio_fork sends what it buffered while the websocket connected
 * (2–4 frames in one message, as in jambonz's own deployments; docs/production.md).
 */
function expectTwentyMsFrames(frames: { data: Buffer }[], bytes: number): void {
  const [first, ...rest] = frames
  expect(first.data.length % bytes, `first frame ${first.data.length} bytes`).toBe(0)
  expect(rest.map((f) => f.data.length).filter((n) => n !== bytes)).toEqual([])
}

describe('listen verb (SPEC §7): the call streamed to a websocket with the jambonz protocol', () => {
  const h = useLivecall()
  let ws: WsListenServer

  beforeEach(async () => {
    ws = await WsListenServer.start()
  })
  afterEach(async () => {
    await ws.close()
  })

  it('8 kHz mono: audio.jambonz.org, call attributes + metadata first, 320-byte frames of the caller; the far side closing ends the listen, then hangup', async () => {
    h().scaffold.route('/app', [
      { verb: 'listen', url: ws.url('/audio'), sampleRate: 8000, mixType: 'mono', metadata: { campaign: 'spring' }, actionHook: '/listen-done' },
      { verb: 'hangup' },
    ])
    h().scaffold.route('/listen-done', [])
    const c = await caller(h(), 1000)
    try {
      const conn = await ws.waitForConnection(0, 15_000)
      expect(conn.protocol).toBe(LISTEN_PROTOCOL)
      expect(conn.path).toBe('/audio')
      const sid = hookedSid(h())
      expect(conn.metadata).toMatchObject({ call_sid: sid, direction: 'inbound', sampleRate: 8000, mixType: 'mono', campaign: 'spring' })
      expect(conn.metadata).toHaveProperty('from')
      expect(conn.metadata).toHaveProperty('to')
      await ws.waitForFrames(60, conn, 15_000)
      expect(conn.texts).toHaveLength(1)
      expectTwentyMsFrames(conn.frames, 320)
      // skip the first frames (the peer may start a moment after the answer)
      expect(toneRatio(WsListenServer.pcm(conn, 20), 1000, 8000)).toBeGreaterThan(0.5)
      conn.ws.close(1000)
      await c.phone.answerBye(15_000)
      const done = await h().scaffold.waitFor((r) => r.path === '/listen-done')
      expect(done.body).toMatchObject({ call_sid: sid, reason: 'closed' })
      await h().scaffold.waitForStatus('completed', sid)
    } finally {
      await c.close()
    }
  }, 40_000)

  it('16 kHz mono: the first frame says sampleRate 16000, then 640-byte frames carrying the tone', async () => {
    h().scaffold.route('/app', [{ verb: 'listen', url: ws.url(), sampleRate: 16000 }, { verb: 'hangup' }])
    const c = await caller(h(), 700)
    try {
      const conn = await ws.waitForConnection(0, 15_000)
      expect(conn.metadata).toMatchObject({ sampleRate: 16000, mixType: 'mono' })
      await ws.waitForFrames(60, conn, 15_000)
      expectTwentyMsFrames(conn.frames, 640)
      expect(toneRatio(WsListenServer.pcm(conn, 20), 700, 16000)).toBeGreaterThan(0.5)
      conn.ws.close(1000)
      await c.phone.answerBye(15_000)
    } finally {
      await c.close()
    }
  }, 40_000)

  it('bidirectionalAudio: PCM the websocket sends back is heard by the caller', async () => {
    h().scaffold.route('/app', [
      { verb: 'listen', url: ws.url(), sampleRate: 8000, bidirectionalAudio: { enabled: true, streaming: true, sampleRate: 8000 } },
      { verb: 'hangup' },
    ])
    const c = await caller(h(), 1000)
    try {
      const conn = await ws.waitForConnection(0, 15_000)
      ws.send(sinePcm(600, 8000, 3000), conn)
      await waitForTone(c.peer, 600, { timeoutMs: 10_000 })
      conn.ws.close(1000)
      await c.phone.answerBye(15_000)
    } finally {
      await c.close()
    }
  }, 40_000)

  it('finishOnKey: the caller pressing # ends the listen (socket closed by livecall); the actionHook gets digits "#" and the digits before it', async () => {
    h().scaffold.route('/app', [{ verb: 'listen', url: ws.url(), finishOnKey: '#', actionHook: '/listen-done' }, { verb: 'hangup' }])
    h().scaffold.route('/listen-done', [])
    const c = await caller(h())
    try {
      const conn = await ws.waitForConnection(0, 15_000)
      await ws.waitForFrames(10, conn, 15_000)
      c.peer.sendDigit('4')
      c.peer.sendDigit('#')
      const closed = await conn.closed
      expect(closed.code).toBe(1000)
      await c.phone.answerBye(15_000)
      const done = await h().scaffold.waitFor((r) => r.path === '/listen-done')
      expect(done.body).toMatchObject({ reason: 'finishOnKey', digits: '#', dtmf: '4' })
    } finally {
      await c.close()
    }
  }, 40_000)

  it('maxLength ends the listen: the socket is closed by livecall and the app goes on', async () => {
    h().scaffold.route('/app', [{ verb: 'listen', url: ws.url(), maxLength: 1, actionHook: '/listen-done' }, { verb: 'hangup' }])
    h().scaffold.route('/listen-done', [])
    const c = await caller(h())
    try {
      const conn = await ws.waitForConnection(0, 15_000)
      await conn.closed
      await c.phone.answerBye(15_000)
      const done = await h().scaffold.waitFor((r) => r.path === '/listen-done')
      expect(done.body).toMatchObject({ reason: 'maxLength' })
    } finally {
      await c.close()
    }
  }, 40_000)

  it('a listen url that is not a websocket makes the document invalid: the call ends and the status hook gets the reason', async () => {
    h().scaffold.route('/app', [{ verb: 'listen', url: 'http://127.0.0.1:1/not-ws' }])
    const { call, close } = await createCaller(h())
    try {
      const final = await call()
      expect(final).toMatch(/^SIP\/2\.0 [45]\d\d/)
    } finally {
      await close()
    }
    const sid = hookedSid(h())
    const last = await h().scaffold.waitFor((r) => r.path === '/status' && r.body?.call_sid === sid && r.body?.reason !== undefined)
    expect(String(last.body.reason)).toMatch(/LIVECALL_ERR_APP_INVALID.*ws:\/\//)
  }, 40_000)
})
