import { describe, expect, it } from 'vitest'
import { OutgoingSource, OutgoingStream } from '../../../src/media/embedded/rtp/outgoing-stream.js'
import { buildRtpPacket, createRtpHeader, parseRtpHeader } from '../../../src/media/embedded/rtp/rtp-packet.js'

function relay(s: OutgoingStream, seq: number, ts: number, ssrc = 77) {
  const pkt = buildRtpPacket(false, 0, seq, ts, ssrc, new Uint8Array(160))
  const ok = s.rewriteRelayed(pkt, 0, seq, ts, ssrc, false)
  const h = createRtpHeader()
  parseRtpHeader(pkt, h)
  return ok ? h : null
}

describe('OutgoingStream: one SSRC, continuous seq/ts whatever the source', () => {
  it('maps a relayed stream onto its own SSRC/seq/ts, keeping input gaps (loss)', () => {
    let t = 1000
    const s = new OutgoingStream(() => t)
    s.setSource(OutgoingSource.Relay)
    const a = relay(s, 500, 9000)!
    t += 20
    const b = relay(s, 501, 9160)!
    t += 40
    const c = relay(s, 503, 9480)! // 502 lost upstream
    expect(a.ssrc).toBe(s.ssrc)
    expect((b.sequenceNumber - a.sequenceNumber) & 0xffff).toBe(1)
    expect((c.sequenceNumber - b.sequenceNumber) & 0xffff).toBe(2)
    expect((b.timestamp - a.timestamp) >>> 0).toBe(160)
    expect((c.timestamp - b.timestamp) >>> 0).toBe(320)
  })

  it('continues seq +1 and ts by elapsed wall clock when the source changes', () => {
    let t = 0
    const s = new OutgoingStream(() => t)
    s.setSource(OutgoingSource.Relay)
    const a = relay(s, 10, 100)!
    s.setSource(OutgoingSource.Prompt)
    t += 20
    const p1 = s.buildLocal(0, 160, 160)
    const h = createRtpHeader()
    parseRtpHeader(p1, h)
    expect((h.sequenceNumber - a.sequenceNumber) & 0xffff).toBe(1)
    expect((h.timestamp - a.timestamp) >>> 0).toBe(160)
    expect(h.marker).toBe(false)
    s.setSource(OutgoingSource.None)
    t += 1000 // a second of nothing
    s.setSource(OutgoingSource.Relay)
    const b = relay(s, 60000, 5, 99)! // another peer, unrelated numbering
    expect((b.sequenceNumber - h.sequenceNumber) & 0xffff).toBe(1)
    expect((b.timestamp - h.timestamp) >>> 0).toBe(8000)
    expect(b.marker).toBe(true) // first packet of a talkspurt, RFC 3551 §4.1
    expect(b.ssrc).toBe(s.ssrc)
  })

  it('drops duplicates and consumed packets leave no seq gap', () => {
    const s = new OutgoingStream(() => 0)
    s.setSource(OutgoingSource.Relay)
    const a = relay(s, 1, 0)!
    expect(relay(s, 1, 0)).toBeNull()
    s.consumeRelayed(2, 77)
    const b = relay(s, 3, 320)!
    expect((b.sequenceNumber - a.sequenceNumber) & 0xffff).toBe(1)
  })

  it('treats a new input SSRC as a restart of the relayed source', () => {
    let t = 0
    const s = new OutgoingStream(() => t)
    s.setSource(OutgoingSource.Relay)
    const a = relay(s, 1000, 123456, 1)!
    t += 20
    const b = relay(s, 7, 42, 2)!
    expect((b.sequenceNumber - a.sequenceNumber) & 0xffff).toBe(1)
    expect((b.timestamp - a.timestamp) >>> 0).toBe(160)
  })

  it('reads the clock once per 16 relayed packets yet continues ts by the real gap after a long relay', () => {
    let t = 0
    let reads = 0
    const s = new OutgoingStream(() => {
      reads++
      return t
    })
    s.setSource(OutgoingSource.Relay)
    let last = relay(s, 0, 0)!
    for (let n = 1; n < 160; n++) {
      t += 20
      last = relay(s, n, n * 160)!
    }
    expect(reads).toBeLessThanOrEqual(1 + Math.ceil(160 / 16))
    s.setSource(OutgoingSource.Prompt)
    t += 100 // the prompt starts 100 ms after the last relayed packet
    const p = createRtpHeader()
    parseRtpHeader(s.buildLocal(0, 160, 160), p)
    expect((p.sequenceNumber - last.sequenceNumber) & 0xffff).toBe(1)
    expect((p.timestamp - last.timestamp) >>> 0).toBe(800)
    expect(p.marker).toBe(true)
  })

  it('a new source waits until our last packet is 10 ms old, so the stream never runs ahead of the clock', () => {
    let t = 0
    const s = new OutgoingStream(() => t)
    s.setSource(OutgoingSource.Relay)
    const a = relay(s, 10, 100)!
    // a prompt tick 2 ms after the relayed packet: its frame would run 18 ms ahead
    t += 2
    expect(s.tooSoonToStart(OutgoingSource.Prompt)).toBe(true)
    expect(s.tooSoonToStart(OutgoingSource.Relay)).toBe(false) // the relay itself goes on
    t += 20 // the next tick
    expect(s.tooSoonToStart(OutgoingSource.Prompt)).toBe(false)
    s.setSource(OutgoingSource.Prompt)
    const h = createRtpHeader()
    parseRtpHeader(s.buildLocal(0, 160, 160), h)
    expect((h.timestamp - a.timestamp) >>> 0).toBe(160)
    expect((h.sequenceNumber - a.sequenceNumber) & 0xffff).toBe(1)
    // back to the relay 3 ms after the prompt's frame: that packet is consumed, the next one opens the epoch
    s.setSource(OutgoingSource.Relay)
    t += 3
    expect(relay(s, 11, 260)).toBeNull()
    t += 20
    const b = relay(s, 12, 420)!
    expect((b.sequenceNumber - h.sequenceNumber) & 0xffff).toBe(1)
    expect((b.timestamp - h.timestamp) >>> 0).toBe(160)
  })
})
