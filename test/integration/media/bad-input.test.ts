import dgram from 'node:dgram'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildRtpPacket } from '../../../src/media/embedded/rtp/rtp-packet.js'
import type { EmbeddedMediaEngine } from '../../../src/media/index.js'
import { RtpPeer } from '../../support/rtp-peer.js'
import { leg, RTP_IO_KINDS, sleep, testEngine, type Leg } from './media-fixture.js'

describe.each(RTP_IO_KINDS)('bad input is dropped and counted, never thrown (%s I/O)', (io) => {
  let engine: EmbeddedMediaEngine
  const legs: Leg[] = []
  const peers: RtpPeer[] = []
  beforeEach(() => {
    engine = testEngine({ io })
  })
  afterEach(async () => {
    for (const l of legs.splice(0)) await l.peer.close()
    for (const p of peers.splice(0)) await p.close()
    await engine.close()
  })

  it('malformed RTP, unknown payload types and RTCP; the relay goes on', async () => {
    const a = await leg(engine, { payload: { kind: 'marker', octet: 0x11 } })
    const b = await leg(engine)
    legs.push(a, b)
    await a.ep.bridge(b.ep)
    a.peer.start()
    await sleep(60)
    a.peer.sendRaw(Buffer.from('not rtp at all'))
    a.peer.sendRaw(Buffer.alloc(5))
    a.peer.sendRaw(Buffer.from([0x8f, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1])) // CSRC list overruns
    a.peer.sendRaw(buildRtpPacket(false, 18, 1, 1, 1, new Uint8Array(20))) // G.729: not negotiated
    a.peer.sendRaw(Buffer.from([0x80, 200, 0, 1, 0, 0, 0, 1])) // RTCP SR header on the RTP port
    a.peer.sendRaw(Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 1]), { address: '127.0.0.1', port: a.ep.port + 1 })
    await sleep(150)
    a.peer.stop()
    await sleep(30)
    const st = a.ep.stats()
    expect(st.dropped.malformed).toBe(3)
    expect(st.dropped.payloadType).toBe(1)
    expect(st.counters.rtcpDrained).toBe(2)
    expect(engine.stats().dropped.malformed).toBe(3)
    expect(b.peer.audio().every((p) => p.payload[0] === 0x11)).toBe(true)
    expect(b.peer.continuity()).toMatchObject({ seqJumps: [], tsJumps: [] })
  })

  it('a flood at one endpoint is dropped and counted, and a bridged call next to it loses nothing', async () => {
    const a = await leg(engine, { payload: { kind: 'marker', octet: 0x11 } })
    const b = await leg(engine)
    const x = await leg(engine)
    legs.push(a, b, x)
    await a.ep.bridge(b.ep)
    a.peer.start()
    const flooder = dgram.createSocket('udp4')
    await new Promise<void>((r) => flooder.bind(0, '127.0.0.1', () => r()))
    const junk = Buffer.from('junk, not RTP: 12 bytes+')
    try {
      // 10 bursts of 1,000 datagrams, 20 ms apart, at an endpoint that is not in the call
      for (let burst = 0; burst < 10; burst++) {
        for (let i = 0; i < 1000; i++) flooder.send(junk, x.ep.port, '127.0.0.1')
        await sleep(20)
      }
      await sleep(100)
    } finally {
      flooder.close()
    }
    a.peer.stop()
    await sleep(40)
    expect(x.ep.stats().dropped.malformed).toBeGreaterThan(1000)
    const heard = b.peer.audio()
    expect(heard.length).toBeGreaterThan(15)
    expect(heard.every((p) => p.payload[0] === 0x11)).toBe(true)
    expect(b.peer.continuity()).toMatchObject({ ssrcs: [heard[0].ssrc], seqJumps: [] }) // no packet of the call lost
  })

  it('latches on the first source (RFC 4961) and drops packets from anywhere else', async () => {
    const a = await leg(engine, { payload: { kind: 'marker', octet: 0x11 } })
    const b = await leg(engine)
    legs.push(a, b)
    await a.ep.bridge(b.ep)
    a.peer.start()
    await sleep(60)
    const intruder = await RtpPeer.create({ payload: { kind: 'marker', octet: 0x66 } })
    peers.push(intruder)
    intruder.target(a.ep.localSdp).start()
    await sleep(200)
    intruder.stop()
    a.peer.stop()
    await sleep(30)
    expect(a.ep.stats().dropped.unexpectedSource).toBeGreaterThan(5)
    expect(b.peer.audio().some((p) => p.payload[0] === 0x66)).toBe(false)
    // replies go to the latched source, not the intruder
    expect(intruder.received.length).toBe(0)
  })

  it('sends to the latched source even when it differs from the SDP address (NAT)', async () => {
    const natted = await RtpPeer.create({ payload: { kind: 'marker', octet: 0x11 } })
    peers.push(natted)
    const ep = await engine.createEndpoint({ remoteSdp: natted.offer().replace(/m=audio \d+/, 'm=audio 9') })
    natted.target(ep.localSdp).start()
    await sleep(60)
    await ep.play({ type: 'silence', durationMs: 100 })
    natted.stop()
    await sleep(30)
    expect(natted.audio().length).toBe(5)
  })

  it('packets before the answer (offer outstanding) are dropped', async () => {
    const ep = await engine.createEndpoint()
    const s = dgram.createSocket('udp4')
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
    s.send(buildRtpPacket(false, 0, 1, 1, 1, new Uint8Array(160)), ep.port, '127.0.0.1')
    await sleep(50)
    s.close()
    expect(ep.stats().dropped.noRemote).toBe(1)
    expect(ep.stats().state).toBe('new')
  })

  it('a listener that throws does not break the endpoint', async () => {
    const a = await leg(engine)
    legs.push(a)
    a.ep.on('dtmf', () => {
      throw new Error('listener bug')
    })
    a.peer.start()
    const c = a.ep.collectDigits({ maxDigits: 2, timeoutMs: 3000 })
    a.peer.sendDigit('1', 40)
    a.peer.sendDigit('2', 40)
    expect((await c).digits).toBe('12')
  })
})
