import { describe, expect, it } from 'vitest'
import { buildRtpPacket, createRtpHeader, isRtcpPacket, parseRtpHeader, rewriteRtpHeader } from '../../../src/media/embedded/rtp/rtp-packet.js'

describe('RTP header (RFC 3550 §5.1)', () => {
  it('builds and parses a packet', () => {
    const pkt = buildRtpPacket(true, 8, 65535, 0xfffffff0, 0xdeadbeef, new Uint8Array([1, 2, 3]))
    const h = createRtpHeader()
    expect(parseRtpHeader(pkt, h)).toBe(true)
    expect(h).toMatchObject({ marker: true, payloadType: 8, sequenceNumber: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef, payloadOffset: 12, payloadLength: 3 })
  })

  it('skips CSRCs and a header extension, and excludes padding', () => {
    const pkt = Buffer.from([
      0xb1, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, // V=2 P=1 X=1 CC=1
      0, 0, 0, 9, // CSRC
      0xbe, 0xde, 0, 1, 1, 2, 3, 4, // extension, one word
      0xaa, 0xbb, // payload
      0, 0, 3, // padding: 3 octets
    ])
    const h = createRtpHeader()
    expect(parseRtpHeader(pkt, h)).toBe(true)
    expect(h.payloadOffset).toBe(24)
    expect(h.payloadLength).toBe(2)
  })

  it('refuses short, wrong-version and overrunning packets without throwing', () => {
    const h = createRtpHeader()
    expect(parseRtpHeader(Buffer.alloc(11), h)).toBe(false)
    expect(parseRtpHeader(Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), h)).toBe(false)
    expect(parseRtpHeader(Buffer.from([0x8f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), h)).toBe(false) // 15 CSRCs missing
    expect(parseRtpHeader(Buffer.from([0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]), h)).toBe(false) // extension overrun
    expect(parseRtpHeader(Buffer.from([0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 50]), h)).toBe(false) // padding overrun
  })

  it('rewrites M, PT, seq, ts and SSRC in place', () => {
    const pkt = buildRtpPacket(false, 0, 1, 2, 3, new Uint8Array([9]))
    rewriteRtpHeader(pkt, true, 101, 4, 5, 6)
    const h = createRtpHeader()
    parseRtpHeader(pkt, h)
    expect(h).toMatchObject({ marker: true, payloadType: 101, sequenceNumber: 4, timestamp: 5, ssrc: 6 })
    expect(pkt[12]).toBe(9)
  })

  it('recognises RTCP (RFC 5761 §4) on the RTP port', () => {
    expect(isRtcpPacket(Buffer.from([0x80, 200, 0, 6, 0, 0, 0, 1]))).toBe(true)
    expect(isRtcpPacket(buildRtpPacket(false, 0, 1, 2, 3, new Uint8Array(160)))).toBe(false)
  })
})
