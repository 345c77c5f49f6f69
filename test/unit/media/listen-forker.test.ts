import type { IncomingMessage } from 'node:http'
import { createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WebSocketServer, type WebSocket } from 'ws'
import { startListenForker, type ListenForker } from '../../../src/media/embedded/listen/index.js'

interface Conn {
  ws: WebSocket
  req: IncomingMessage
  texts: string[]
  frames: Buffer[]
  closed: Promise<{ code: number }>
}

/** A real jambonz-style listen consumer on 127.0.0.1 that records what it receives. */
class ListenServer {
  readonly conns: Conn[] = []
  private constructor(readonly wss: WebSocketServer) {
    wss.on('connection', (ws, req) => {
      const conn: Conn = {
        ws,
        req,
        texts: [],
        frames: [],
        closed: new Promise((resolve) => ws.on('close', (code) => resolve({ code }))),
      }
      ws.on('message', (data, isBinary) => {
        if (isBinary) conn.frames.push(data as Buffer)
        else conn.texts.push(data.toString())
      })
      this.conns.push(conn)
    })
  }

  static async start(opts: { selectProtocol?: boolean } = {}): Promise<ListenServer> {
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      handleProtocols: (protocols) => (opts.selectProtocol === false ? false : protocols.has('audio.jambonz.org') ? 'audio.jambonz.org' : false),
    })
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
    return new ListenServer(wss)
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/listen`
  }

  async connection(): Promise<Conn> {
    await until(() => this.conns.length > 0)
    return this.conns[0]
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.ws.terminate()
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
  }
}

async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now()
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}

const frame = (v: number): Int16Array => new Int16Array(160).fill(v)
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 20))
const samples = (b: Buffer): Int16Array => {
  const out = new Int16Array(b.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = b.readInt16LE(i * 2)
  return out
}

function sine(freq: number, rate: number, n: number, amp: number, phase0 = 0): Int16Array {
  return Int16Array.from({ length: n }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * freq * (i + phase0)) / rate)))
}

/** Goertzel power of one frequency. */
function power(x: ArrayLike<number>, freq: number, rate: number): number {
  const k = 2 * Math.cos((2 * Math.PI * freq) / rate)
  let s1 = 0
  let s2 = 0
  for (let i = 0; i < x.length; i++) {
    const s = x[i] + k * s1 - s2
    s2 = s1
    s1 = s
  }
  return s1 * s1 + s2 * s2 - k * s1 * s2
}

describe('listen forker (jambonz listen protocol, SPEC §7)', () => {
  let server: ListenServer
  let forker: ListenForker | null = null
  beforeEach(async () => {
    server = await ListenServer.start()
  })
  afterEach(async () => {
    await forker?.stop()
    forker = null
    await server.close()
  })

  it('opens with subprotocol audio.jambonz.org, sends the metadata text frame first, then 320-byte frames at 8 kHz mono', async () => {
    forker = startListenForker({
      url: server.url,
      metadata: { callSid: 'CA123', from: '+15551234567', custom: { a: 1 } },
      headers: { 'x-test': 'yes' },
    })
    const conn = await server.connection()
    expect(conn.ws.protocol).toBe('audio.jambonz.org')
    expect(conn.req.headers['x-test']).toBe('yes')
    await until(() => conn.texts.length === 1)
    expect(JSON.parse(conn.texts[0])).toEqual({ callSid: 'CA123', from: '+15551234567', custom: { a: 1 }, sampleRate: 8000, mixType: 'mono' })
    for (let i = 0; i < 5; i++) {
      forker.push(frame(100 + i), frame(-1))
      await tick()
    }
    await until(() => conn.frames.length === 5)
    expect(conn.frames.map((f) => f.length)).toEqual([320, 320, 320, 320, 320])
    // mono = the caller's audio, little-endian 16-bit
    expect(conn.frames.map((f) => f.readInt16LE(0))).toEqual([100, 101, 102, 103, 104])
    expect(conn.texts).toHaveLength(1)
  })

  it.each([
    [8000, 'mono', 320],
    [8000, 'mixed', 320],
    [8000, 'stereo', 640],
    [16000, 'mono', 640],
    [16000, 'mixed', 640],
    [16000, 'stereo', 1280],
  ] as const)('sends 20 ms frames of the right size at %i Hz %s', async (sampleRate, mixType, bytes) => {
    forker = startListenForker({ url: server.url, sampleRate, mixType })
    const conn = await server.connection()
    await until(() => conn.texts.length === 1)
    expect(JSON.parse(conn.texts[0])).toMatchObject({ sampleRate, mixType })
    for (let i = 0; i < 3; i++) forker.push(frame(10), null)
    await until(() => conn.frames.length === 3)
    expect(conn.frames.every((f) => f.length === bytes)).toBe(true)
  })

  it('stereo puts the caller on the left channel and the callee on the right', async () => {
    forker = startListenForker({ url: server.url, mixType: 'stereo' })
    const conn = await server.connection()
    forker.push(frame(1000), frame(-2000))
    forker.push(null, frame(-2000)) // no audio from the caller this tick: silence on its channel
    await until(() => conn.frames.length === 2)
    const a = samples(conn.frames[0])
    expect(a.filter((_, i) => i % 2 === 0).every((s) => s === 1000)).toBe(true)
    expect(a.filter((_, i) => i % 2 === 1).every((s) => s === -2000)).toBe(true)
    const b = samples(conn.frames[1])
    expect(b.filter((_, i) => i % 2 === 0).every((s) => s === 0)).toBe(true)
  })

  it('stereo at 16 kHz keeps the channels apart after upsampling', async () => {
    forker = startListenForker({ url: server.url, mixType: 'stereo', sampleRate: 16000 })
    const conn = await server.connection()
    for (let i = 0; i < 5; i++) forker.push(frame(1000), frame(-2000))
    await until(() => conn.frames.length === 5)
    const last = samples(conn.frames[4])
    const left = last.filter((_, i) => i % 2 === 0)
    const right = last.filter((_, i) => i % 2 === 1)
    expect(left.every((s) => Math.abs(s - 1000) <= 2)).toBe(true)
    expect(right.every((s) => Math.abs(s + 2000) <= 2)).toBe(true)
  })

  it('mixed sends caller + callee clipped to 16 bits', async () => {
    forker = startListenForker({ url: server.url, mixType: 'mixed' })
    const conn = await server.connection()
    forker.push(frame(1000), frame(234))
    forker.push(frame(30000), frame(30000))
    await until(() => conn.frames.length === 2)
    expect(samples(conn.frames[0]).every((s) => s === 1234)).toBe(true)
    expect(samples(conn.frames[1]).every((s) => s === 32767)).toBe(true)
  })

  it('upsamples 8 → 16 kHz with an interpolating filter: a 1 kHz tone stays clean, no image at 7 kHz', async () => {
    forker = startListenForker({ url: server.url, sampleRate: 16000 })
    const conn = await server.connection()
    const tone = sine(1000, 8000, 160 * 30, 10000)
    for (let i = 0; i < 30; i++) forker.push(tone.subarray(i * 160, (i + 1) * 160), null)
    await until(() => conn.frames.length === 30)
    const out = new Int16Array(320 * 25)
    for (let i = 0; i < 25; i++) out.set(samples(conn.frames[i + 5]), i * 320) // skip the filter's start
    const signal = power(out, 1000, 16000)
    const image = power(out, 7000, 16000)
    expect(10 * Math.log10(signal / image)).toBeGreaterThan(50)
    const peak = out.reduce((m, s) => Math.max(m, Math.abs(s)), 0)
    expect(peak).toBeGreaterThan(9500)
    expect(peak).toBeLessThan(10500)
  })

  it('pause stops the frames but keeps the socket open; resume restarts them on the same socket', async () => {
    forker = startListenForker({ url: server.url })
    const conn = await server.connection()
    await until(() => conn.texts.length === 1)
    forker.push(frame(1), null)
    await until(() => conn.frames.length === 1)
    forker.pause()
    expect(forker.paused).toBe(true)
    for (let i = 0; i < 10; i++) {
      forker.push(frame(2), null)
      await tick()
    }
    expect(conn.frames).toHaveLength(1)
    expect(conn.ws.readyState).toBe(conn.ws.OPEN)
    forker.resume()
    forker.push(frame(3), null)
    await until(() => conn.frames.length === 2)
    expect(conn.frames[1].readInt16LE(0)).toBe(3)
    expect(server.conns).toHaveLength(1)
    expect(conn.texts).toHaveLength(1) // no second metadata frame
  })

  it('a consumer that stops reading does not make the forker buffer without bound, and push() keeps working', async () => {
    forker = startListenForker({ url: server.url, sampleRate: 16000, mixType: 'stereo' })
    const conn = await server.connection()
    await until(() => conn.texts.length === 1)
    ;(conn.req.socket as Socket).pause() // the consumer stops reading: TCP backs up
    const oneSecond = 50 * 1280
    let maxBuffered = 0
    let pushed = 0
    // far faster than real time so the kernel's socket buffers fill within the test
    while (forker.stats().framesDroppedBackpressure < 1000 && pushed < 60_000) {
      for (let i = 0; i < 100; i++) {
        expect(() => forker!.push(frame(i), frame(-i))).not.toThrow()
        pushed++
      }
      maxBuffered = Math.max(maxBuffered, forker.stats().bufferedAmount)
      await new Promise((r) => setImmediate(r))
    }
    const stats = forker.stats()
    expect(stats.framesDroppedBackpressure).toBeGreaterThanOrEqual(1000)
    expect(maxBuffered).toBeLessThanOrEqual(oneSecond)
    expect(stats.framesSent + stats.framesDroppedBackpressure).toBe(pushed)
    // the call is not disturbed: the listen still runs and catches up once the consumer reads again
    expect(forker.state).toBe('open')
    ;(conn.req.socket as Socket).resume()
    await until(() => conn.frames.length === forker!.stats().framesSent, 10_000)
    forker.push(frame(7), frame(-7))
    await until(() => conn.frames.length === forker!.stats().framesSent)
    const last = samples(conn.frames.at(-1)!)
    expect(last.length).toBe(640)
    expect(Math.abs(last[638] - 7)).toBeLessThanOrEqual(1) // caller, left
    expect(Math.abs(last[639] + 7)).toBeLessThanOrEqual(1) // callee, right
  })

  it('keeps at most ~1 s of frames while connecting, the newest ones', async () => {
    forker = startListenForker({ url: server.url })
    for (let i = 0; i < 80; i++) forker.push(frame(i), null) // 1.6 s before the socket can be open
    expect(forker.state).toBe('connecting')
    const conn = await server.connection()
    await until(() => conn.frames.length === 50)
    await new Promise((r) => setTimeout(r, 50))
    expect(conn.frames).toHaveLength(50)
    expect(conn.frames.map((f) => f.readInt16LE(0))).toEqual(Array.from({ length: 50 }, (_, i) => 30 + i))
    expect(forker.stats().framesDroppedConnecting).toBe(30)
    expect(conn.texts).toHaveLength(1) // metadata still first
  })

  it("resolves done 'closed' when the far side closes, and push() afterwards is harmless", async () => {
    forker = startListenForker({ url: server.url })
    const conn = await server.connection()
    await until(() => conn.texts.length === 1)
    conn.ws.close(1000)
    expect(await forker.done).toEqual({ reason: 'closed' })
    expect(() => forker!.push(frame(1), frame(1))).not.toThrow()
  })

  it("stop() closes the socket with 1000 and resolves done 'stopped'", async () => {
    forker = startListenForker({ url: server.url })
    const conn = await server.connection()
    await until(() => conn.texts.length === 1)
    await forker.stop()
    expect(await forker.done).toEqual({ reason: 'stopped' })
    expect(await conn.closed).toEqual({ code: 1000 })
  })

  it("ends by itself after maxLengthMs with done 'maxLength'", async () => {
    forker = startListenForker({ url: server.url, maxLengthMs: 300 })
    const conn = await server.connection()
    const started = Date.now()
    expect(await forker.done).toEqual({ reason: 'maxLength' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(250)
    expect(await conn.closed).toEqual({ code: 1000 })
  })

  it("resolves done 'error' when nothing listens on the port", async () => {
    const port = (server.wss.address() as AddressInfo).port
    await server.close()
    forker = startListenForker({ url: `ws://127.0.0.1:${port}/` })
    const done = await forker.done
    expect(done.reason).toBe('error')
    expect(done.error).toMatchObject({ code: 'LIVECALL_ERR_LISTEN_CONNECT' })
    server = await ListenServer.start()
  })

  it("resolves done 'error' when the server never answers the upgrade (connect timeout)", async () => {
    const sockets: Socket[] = []
    const silent: Server = createServer((s) => sockets.push(s))
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()))
    forker = startListenForker({ url: `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/`, connectTimeoutMs: 300 })
    forker.push(frame(1), null)
    const done = await forker.done
    expect(done.reason).toBe('error')
    sockets.forEach((s) => s.destroy())
    await new Promise<void>((r) => silent.close(() => r()))
  })

  it("resolves done 'error' for an invalid URL instead of throwing", async () => {
    forker = startListenForker({ url: 'not a url' })
    expect((await forker.done).reason).toBe('error')
  })

  it("resolves done 'error' when the server does not accept the audio.jambonz.org subprotocol", async () => {
    await server.close()
    server = await ListenServer.start({ selectProtocol: false })
    forker = startListenForker({ url: server.url })
    expect((await forker.done).reason).toBe('error')
  })

  it('bidirectional audio: binary PCM at 16 kHz comes back as 160-sample 8 kHz frames, even split mid-sample', async () => {
    forker = startListenForker({ url: server.url, bidirectionalAudio: { enabled: true, streaming: true, sampleRate: 16000 } })
    const got: Int16Array[] = []
    forker.on('audio', (f) => got.push(f))
    const conn = await server.connection()
    await until(() => conn.texts.length === 1)
    const tone = sine(500, 16000, 16000 * 0.4, 8000) // 400 ms of 500 Hz
    const bytes = Buffer.alloc(tone.length * 2)
    tone.forEach((s, i) => bytes.writeInt16LE(s, i * 2))
    conn.ws.send(bytes.subarray(0, 3201)) // an odd split: half a sample at the end
    conn.ws.send(bytes.subarray(3201))
    await until(() => got.length >= 19)
    expect(got.every((f) => f instanceof Int16Array && f.length === 160)).toBe(true)
    const steady = new Int16Array(160 * 15)
    for (let i = 0; i < 15; i++) steady.set(got[i + 2], i * 160)
    const peak = steady.reduce((m, s) => Math.max(m, Math.abs(s)), 0)
    expect(peak).toBeGreaterThan(7600)
    expect(peak).toBeLessThan(8400)
    expect(power(steady, 500, 8000)).toBeGreaterThan(1000 * power(steady, 1500, 8000))
  })

  it('bidirectional audio at 8 kHz is passed through sample for sample', async () => {
    forker = startListenForker({ url: server.url, bidirectionalAudio: { enabled: true, sampleRate: 8000 } })
    const got: Int16Array[] = []
    forker.on('audio', (f) => got.push(f))
    const conn = await server.connection()
    await until(() => conn.texts.length === 1)
    const pcm = Int16Array.from({ length: 400 }, (_, i) => i * 10 - 2000)
    conn.ws.send(Buffer.from(pcm.buffer))
    await until(() => got.length === 2)
    expect(Array.from(got[0])).toEqual(Array.from(pcm.subarray(0, 160)))
    expect(Array.from(got[1])).toEqual(Array.from(pcm.subarray(160, 320)))
  })

  it('jambonz text commands: playAudio (raw base64) plays, killAudio is passed on, disconnect ends the listen', async () => {
    forker = startListenForker({ url: server.url, bidirectionalAudio: { enabled: true, streaming: false, sampleRate: 8000 } })
    const got: Int16Array[] = []
    let killed = 0
    const other: unknown[] = []
    forker.on('audio', (f) => got.push(f))
    forker.on('killAudio', () => killed++)
    forker.on('message', (m) => other.push(m))
    const conn = await server.connection()
    await until(() => conn.texts.length === 1)
    const pcm = new Int16Array(320).fill(1234)
    conn.ws.send(JSON.stringify({ type: 'playAudio', data: { audioContent: Buffer.from(pcm.buffer).toString('base64'), audioContentType: 'raw', sampleRate: 8000 } }))
    conn.ws.send(JSON.stringify({ type: 'killAudio' }))
    conn.ws.send(JSON.stringify({ type: 'mark', data: { name: 'm1' } }))
    conn.ws.send('not json')
    await until(() => other.length === 1)
    expect(got).toHaveLength(2)
    expect(got[0].every((s) => s === 1234)).toBe(true)
    expect(killed).toBe(1)
    expect(other).toEqual([{ type: 'mark', data: { name: 'm1' } }])
    expect(forker.stats().messagesIgnored).toBe(1)
    expect(forker.sendJson({ event: 'dtmf', dtmf: '5', duration: 100 })).toBe(true)
    await until(() => conn.texts.length === 2)
    expect(JSON.parse(conn.texts[1])).toEqual({ event: 'dtmf', dtmf: '5', duration: 100 })
    conn.ws.send(JSON.stringify({ type: 'disconnect' }))
    expect(await forker.done).toEqual({ reason: 'closed' })
    expect(await conn.closed).toEqual({ code: 1000 })
  })

  it("stop() while still connecting resolves done 'stopped' and drops the queued frames", async () => {
    const sockets: Socket[] = []
    const silent: Server = createServer((s) => sockets.push(s))
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()))
    forker = startListenForker({ url: `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/` })
    for (let i = 0; i < 10; i++) forker.push(frame(i), null)
    await forker.stop()
    expect(await forker.done).toEqual({ reason: 'stopped' })
    expect(forker.state).toBe('ended')
    sockets.forEach((s) => s.destroy())
    await new Promise<void>((r) => silent.close(() => r()))
  })

  it('a throwing audio listener does not break the listen', async () => {
    forker = startListenForker({ url: server.url, bidirectionalAudio: { enabled: true, sampleRate: 8000 } })
    forker.on('audio', () => {
      throw new Error('player bug')
    })
    const conn = await server.connection()
    await until(() => conn.texts.length === 1)
    conn.ws.send(Buffer.alloc(640))
    await until(() => forker!.stats().listenerErrors === 2)
    forker.push(frame(5), null)
    await until(() => conn.frames.length === 1)
    expect(forker.state).toBe('open')
  })
})
