import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSipEngine, type SipEngine } from '../../../src/engine/index.js'
import { PortPicker } from '../../support/ports.js'
import { RawWireClient } from './raw-wire-client.js'
import { UdpSipPeer } from './udp-sip-peer.js'

/** A deterministic PRNG so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function invite(peerPort: number, sipPort: number, n: number): string {
  const body = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n'
  return (
    `INVITE sip:fuzz@127.0.0.1:${sipPort} SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP 127.0.0.1:${peerPort};branch=z9hG4bKfuzz${n};rport\r\n` +
    `From: <sip:a@127.0.0.1>;tag=f${n}\r\nTo: <sip:fuzz@127.0.0.1>\r\nCall-ID: fuzz-${n}\r\nCSeq: 1 INVITE\r\n` +
    `Contact: <sip:a@127.0.0.1:${peerPort}>\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\n` +
    `Content-Length: ${body.length}\r\n\r\n${body}`
  )
}

/** Bit flips, byte insertions, truncation, duplicated or deleted lines. */
function mutate(text: string, rnd: () => number): Buffer {
  const buf = Buffer.from(text, 'latin1')
  switch (Math.floor(rnd() * 5)) {
    case 0: {
      for (let i = 0; i < 1 + rnd() * 8; i++) buf[Math.floor(rnd() * buf.length)] ^= 1 << Math.floor(rnd() * 8)
      return buf
    }
    case 1:
      return buf.subarray(0, Math.floor(rnd() * buf.length))
    case 2: {
      const at = Math.floor(rnd() * buf.length)
      const junk = Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256)))
      return Buffer.concat([buf.subarray(0, at), junk, buf.subarray(at)])
    }
    case 3: {
      const lines = text.split('\r\n')
      const i = 1 + Math.floor(rnd() * (lines.length - 2))
      lines.splice(i, 0, lines[i])
      return Buffer.from(lines.join('\r\n'), 'latin1')
    }
    default: {
      const lines = text.split('\r\n')
      lines.splice(1 + Math.floor(rnd() * (lines.length - 2)), 1)
      return Buffer.from(lines.join('\r\n'), 'latin1')
    }
  }
}

describe('hostile input never takes the engine down', () => {
  const ports = new PortPicker({ min: 18000, max: 18999 })
  let engine: SipEngine
  let sipPort: number
  let drachtioPort: number

  beforeAll(async () => {
    ;[sipPort, drachtioPort] = await ports.pickMany(2)
    engine = createSipEngine({ sipHost: '127.0.0.1', sipPort, drachtioPort, drachtioSecret: 'cymru' })
    await engine.start()
  })
  afterAll(() => engine.stop())

  async function optionsStillAnswered(): Promise<void> {
    const peer = await UdpSipPeer.bind(await ports.pick())
    try {
      peer.send(
        `OPTIONS sip:ping@127.0.0.1:${sipPort} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKalive${Date.now()}\r\n` +
          `From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:ping@127.0.0.1>\r\nCall-ID: alive-${Date.now()}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
        sipPort,
      )
      await peer.response(200, 'OPTIONS')
    } finally {
      await peer.close()
    }
  }

  it('2,000 mutated INVITEs over UDP: answered or dropped, and OPTIONS is still answered', async () => {
    const rnd = prng(4475)
    const peer = await UdpSipPeer.bind(await ports.pick())
    const before = engine.stats()
    for (let n = 0; n < 2000; n++) {
      peer.send(mutate(invite(peer.port, sipPort, n), rnd), sipPort)
      if (n % 20 === 19) await new Promise((r) => setTimeout(r, 3)) // stay under the kernel socket buffer
    }
    await new Promise((r) => setTimeout(r, 300))
    await peer.close()
    const after = engine.stats()
    expect(after.received - before.received).toBeGreaterThan(1900)
    expect(after.dropped).toBeGreaterThan(before.dropped)
    await optionsStillAnswered()
    // nothing waits on an app: every INVITE got its final answer (503, no app) or was dropped
    expect(engine.counts().pendingRequests).toBe(0)
  })

  it('mutated INVITEs over TCP streams close only their own connection', async () => {
    const rnd = prng(3261)
    for (let n = 0; n < 200; n++) {
      const sock = net.connect(sipPort, '127.0.0.1')
      sock.on('error', () => {})
      await new Promise<void>((r) => sock.once('connect', () => r()))
      sock.write(mutate(invite(sock.localPort!, sipPort, 10_000 + n), rnd))
      sock.end()
    }
    await new Promise((r) => setTimeout(r, 300))
    await optionsStillAnswered()
  })

  it('junk on the drachtio port drops that client only; a real app still authenticates', async () => {
    const junk = net.connect(drachtioPort, '127.0.0.1')
    const closed = new Promise<void>((r) => junk.once('close', () => r()))
    junk.on('error', () => {})
    junk.write(Buffer.from('\x00\xff garbage that is not a length prefix'))
    await closed
    const app = await RawWireClient.connect(drachtioPort)
    try {
      // unauthenticated commands are refused, not obeyed
      const refused = await app.reply(app.send('route|invite'))
      expect(refused.tokens[3]).toBe('NO')
      const ok = await app.authenticate('cymru')
      expect(ok.tokens[3]).toBe('OK')
      // an unknown message type and a SIP command carrying garbage get answers, not a crash
      expect((await app.reply(app.send('frobnicate|x'))).tokens[3]).toBe('NO')
      expect((await app.reply(app.send('sip||', '\x01\x02 not sip'))).tokens[3]).toBe('NOK')
      expect((await app.reply(app.send('sip|no-such-txn|', 'SIP/2.0 200 OK\r\n\r\n'))).tokens[3]).toBe('NOK')
      expect((await app.reply(app.send('sip||', 'INVITE not-a-uri SIP/2.0\r\n\r\n'))).tokens[3]).toBe('NOK')
    } finally {
      app.close()
    }
    await optionsStillAnswered()
  })
})
