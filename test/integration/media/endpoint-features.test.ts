import { mkdtemp, readFile, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EmbeddedMediaEngine } from '../../../src/media/index.js'
import { toneRatio } from '../../support/rtp-peer.js'
import { leg, sleep, testEngine, type Leg } from './media-fixture.js'

/** Channel `ch` of a 16-bit stereo WAV body. */
function channel(wav: Buffer, ch: 0 | 1): Int16Array {
  const body = wav.subarray(44)
  const out = new Int16Array(body.length / 4)
  for (let i = 0; i < out.length; i++) out[i] = body.readInt16LE(i * 4 + ch * 2)
  return out
}

/**
 * The listen's far side (a bot) answers with 200 ms of 500 Hz as a jambonz playAudio
 * message: the endpoint's far end must hear exactly those 10 packets of that tone.
 */
async function expectBotAnswerPlayed(l: Leg, ws: WebSocket): Promise<void> {
  const pcm = Buffer.alloc(1600 * 2)
  for (let i = 0; i < 1600; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 500 * i) / 8000)), i * 2)
  const mark = l.peer.received.length
  ws.send(JSON.stringify({ type: 'playAudio', data: { audioContent: pcm.toString('base64'), audioContentType: 'raw', sampleRate: 8000 } }))
  await sleep(400)
  const back = l.peer.received.slice(mark)
  expect(back.length).toBe(10)
  expect(toneRatio(l.peer.decode(back), 500)).toBeGreaterThan(0.8)
}

describe('record, listen and conference integrated into the endpoint', () => {
  let engine: EmbeddedMediaEngine
  let dir: string
  const legs: Leg[] = []
  beforeEach(async () => {
    engine = testEngine()
    dir = await mkdtemp(join(tmpdir(), 'livecall-media-'))
  })
  afterEach(async () => {
    for (const l of legs.splice(0)) await l.peer.close()
    await engine.close()
    await rm(dir, { recursive: true, force: true })
  })
  const open = async (...args: Parameters<typeof leg> extends [unknown, ...infer R] ? R : never) => {
    const l = await leg(engine, ...args)
    legs.push(l)
    return l
  }

  it('records a bridged call in stereo: the far end left, what it hears right; a plain relay decodes nothing', async () => {
    const a = await open({ payload: { kind: 'tone', freq: 1000 } })
    const b = await open({ codec: 'PCMA', offer: { codecs: ['PCMA'] }, payload: { kind: 'tone', freq: 500 } })
    await a.ep.bridge(b.ep)
    a.peer.start()
    b.peer.start()
    await sleep(200)
    expect(a.ep.stats().framesDecoded).toBe(0)
    const rec = await a.ep.startRecording({ path: join(dir, 'call.wav') })
    await sleep(600)
    const { path, durationMs } = await rec.stop()
    a.peer.stop()
    b.peer.stop()
    expect(durationMs).toBeGreaterThan(500)
    const wav = await readFile(path)
    const left = channel(wav, 0).subarray(800)
    const right = channel(wav, 1).subarray(800)
    expect(toneRatio(left, 1000)).toBeGreaterThan(0.8)
    expect(toneRatio(right, 500)).toBeGreaterThan(0.8)
    const decoded = a.ep.stats().framesDecoded
    await sleep(100)
    expect(a.ep.stats().framesDecoded).toBe(decoded) // decoding stops with the recording
  })

  it('listen streams the far end to a websocket and plays the bot\'s answer back', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
    await new Promise((r) => wss.once('listening', r))
    const port = (wss.address() as AddressInfo).port
    const texts: string[] = []
    const binaries: Buffer[] = []
    let protocol = ''
    const connected = new Promise<WebSocket>((resolve) =>
      wss.on('connection', (ws) => {
        protocol = ws.protocol
        ws.on('message', (data, isBinary) => (isBinary ? binaries.push(data as Buffer) : texts.push(String(data))))
        resolve(ws)
      }),
    )
    try {
      const a = await open({ payload: { kind: 'tone', freq: 1000 } })
      a.peer.start()
      const listen = await a.ep.startListen({
        url: `ws://127.0.0.1:${port}/`,
        metadata: { call_sid: 'c1' },
        bidirectionalAudio: { enabled: true, streaming: false, sampleRate: 8000 },
      })
      const ws = await connected
      await sleep(400)
      expect(protocol).toBe('audio.jambonz.org')
      expect(JSON.parse(texts[0])).toMatchObject({ call_sid: 'c1', sampleRate: 8000, mixType: 'mono' })
      expect(binaries.length).toBeGreaterThan(10)
      expect(binaries.every((b) => b.length === 320)).toBe(true)
      const heard = Int16Array.from({ length: 160 * 5 }, (_, i) => binaries[3 + Math.floor(i / 160)].readInt16LE((i % 160) * 2))
      expect(toneRatio(heard, 1000)).toBeGreaterThan(0.8)
      // the bot answers with 200 ms of 500 Hz
      await expectBotAnswerPlayed(a, ws)
      await listen.stop()
      expect(await listen.done).toMatchObject({ reason: 'stopped' })
    } finally {
      wss.close()
    }
  })

  it('two bidirectional listens: when the first ends, the second one\'s audio is still played', async () => {
    const servers = await Promise.all([0, 1].map(async () => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
      await new Promise((r) => wss.once('listening', r))
      const socket = new Promise<WebSocket>((resolve) => wss.on('connection', resolve))
      return { wss, socket, port: (wss.address() as AddressInfo).port }
    }))
    try {
      const a = await open()
      const bidirectionalAudio = { enabled: true, streaming: false, sampleRate: 8000 }
      const [first, second] = await Promise.all(servers.map((srv) => a.ep.startListen({ url: `ws://127.0.0.1:${srv.port}/`, bidirectionalAudio })))
      const ws2 = await servers[1].socket
      await first.stop()
      expect(await first.done).toMatchObject({ reason: 'stopped' })
      await expectBotAnswerPlayed(a, ws2)
      await second.stop()
    } finally {
      for (const srv of servers) srv.wss.close()
    }
  })

  it('conference: each member hears the others, not itself; leave restores nothing to a bridge', async () => {
    const a = await open({ payload: { kind: 'tone', freq: 500 } })
    const b = await open({ payload: { kind: 'tone', freq: 1000 } })
    const c = await open({ payload: { kind: 'marker', octet: 0xff } }) // silent member
    const members = await Promise.all([a, b, c].map((l) => l.ep.joinConference('room-1')))
    for (const l of [a, b, c]) l.peer.start()
    await sleep(500)
    const last = (l: Leg, n = 15) => l.peer.decode(l.peer.audio().slice(-n))
    expect(toneRatio(last(a), 1000)).toBeGreaterThan(0.8)
    expect(toneRatio(last(a), 500)).toBeLessThan(0.05)
    expect(toneRatio(last(b), 500)).toBeGreaterThan(0.8)
    const atC = last(c)
    expect(toneRatio(atC, 500) + toneRatio(atC, 1000)).toBeGreaterThan(0.8)
    members[1].mute()
    await sleep(300)
    expect(toneRatio(last(a, 5), 1000)).toBeLessThan(0.05)
    for (const m of members) await m.leave()
    expect(a.peer.continuity()).toMatchObject({ ssrcs: [a.peer.received[0].ssrc], seqJumps: [], tsJumps: [] })
    await expect(a.ep.bridge(b.ep)).resolves.toBeUndefined()
  })
})
