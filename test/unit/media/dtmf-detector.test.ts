import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  DtmfDetector,
  buildDigitPackets,
  encodeTelephoneEvent,
  parseTelephoneEvent,
} from '../../../src/media/embedded/dtmf/index.js'

function pkt(digit: string, duration: number, end = false): Buffer {
  return encodeTelephoneEvent({ event: digit, duration, end })!
}

function collect(det: DtmfDetector): Array<[string, number]> {
  const out: Array<[string, number]> = []
  det.on('digit', (d, ms) => out.push([d, ms]))
  return out
}

describe('telephone-event payload (RFC 4733 §2.3)', () => {
  it('parses event, end bit, volume and duration', () => {
    const ev = parseTelephoneEvent(Buffer.from([11, 0x80 | 10, 0x03, 0x20]))
    expect(ev).toEqual({ event: 11, end: true, volume: 10, duration: 800 })
  })

  it('returns null for a payload shorter than 4 bytes', () => {
    expect(parseTelephoneEvent(Buffer.from([1, 2, 3]))).toBeNull()
  })

  it('encodes and parses back every DTMF key', () => {
    for (const [i, d] of [...'0123456789*#ABCD'].entries()) {
      const b = encodeTelephoneEvent({ event: d, duration: 1234, volume: 7, end: i % 2 === 0 })!
      expect(parseTelephoneEvent(b)).toEqual({ event: i, end: i % 2 === 0, volume: 7, duration: 1234 })
    }
    expect(encodeTelephoneEvent({ event: 'x', duration: 1 })).toBeNull()
  })

  it('builds a digit as updates then three end packets with the marker on the first', () => {
    const pkts = buildDigitPackets('7', { durationMs: 100 })
    expect(pkts[0].marker).toBe(true)
    expect(pkts.slice(1).every((p) => !p.marker)).toBe(true)
    const parsed = pkts.map((p) => parseTelephoneEvent(p.payload)!)
    expect(parsed.filter((p) => p.end)).toHaveLength(3)
    expect(parsed.at(-1)).toMatchObject({ event: 7, end: true, duration: 800 })
    expect(parsed.every((p) => p.event === 7)).toBe(true)
  })
})

describe('DtmfDetector', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('emits a digit once although its end packet is sent three times', () => {
    const det = new DtmfDetector()
    const got = collect(det)
    let seq = 100
    for (const p of buildDigitPackets('5', { durationMs: 120 })) det.feed(p.payload, 16000, seq++)
    expect(got).toEqual([['5', 120]])
    expect(det.stats().duplicates).toBe(2)
  })

  it('does not emit twice for network-duplicated packets and late retransmissions', () => {
    const det = new DtmfDetector()
    const got = collect(det)
    det.feed(pkt('1', 160), 1000, 1)
    det.feed(pkt('1', 160), 1000, 1) // duplicate of the same packet
    det.feed(pkt('1', 320), 1000, 2)
    det.feed(pkt('1', 480, true), 1000, 3)
    det.feed(pkt('2', 160), 5000, 4)
    det.feed(pkt('1', 480, true), 1000, 5) // late retransmitted end of the previous event
    det.feed(pkt('2', 320, true), 5000, 6)
    det.feed(pkt('2', 320, true), 5000, 7)
    expect(got).toEqual([
      ['1', 60],
      ['2', 40],
    ])
    expect(det.stats()).toMatchObject({ stale: 1, duplicates: 2, digits: 2, lostEnds: 0 })
  })

  it('emits the same key pressed twice as two digits (distinct timestamps)', () => {
    const det = new DtmfDetector()
    const got = collect(det)
    det.feed(pkt('9', 800, true), 0, 1)
    det.feed(pkt('9', 800, true), 0, 2)
    det.feed(pkt('9', 800, true), 2400, 3)
    det.feed(pkt('9', 800, true), 2400, 4)
    expect(got.map(([d]) => d)).toEqual(['9', '9'])
  })

  it('emits a digit whose end packets were all lost when the next event starts', () => {
    const det = new DtmfDetector()
    const got = collect(det)
    det.feed(pkt('3', 160), 8000, 1)
    det.feed(pkt('3', 640), 8000, 2)
    expect(got).toEqual([])
    det.feed(pkt('4', 160), 16000, 3)
    expect(got).toEqual([['3', 80]])
    det.feed(pkt('4', 800, true), 16000, 4)
    expect(got).toEqual([
      ['3', 80],
      ['4', 100],
    ])
    expect(det.stats().lostEnds).toBe(1)
  })

  it('emits a digit whose end packets were all lost after the 1 s guard timer', () => {
    const det = new DtmfDetector()
    const got = collect(det)
    det.feed(pkt('#', 160), 8000, 1)
    vi.advanceTimersByTime(500)
    det.feed(pkt('#', 320), 8000, 2) // an update re-arms the guard
    vi.advanceTimersByTime(999)
    expect(got).toEqual([])
    vi.advanceTimersByTime(1)
    expect(got).toEqual([['#', 40]])
    // a late end after the guard fired does not emit again
    det.feed(pkt('#', 800, true), 8000, 3)
    expect(got).toHaveLength(1)
  })

  it('handles RTP timestamp wrap-around', () => {
    const det = new DtmfDetector()
    const got = collect(det)
    det.feed(pkt('6', 800, true), 0xffffff00, 1)
    det.feed(pkt('7', 800, true), 0x00000100, 2)
    expect(got.map(([d]) => d)).toEqual(['6', '7'])
  })

  it('treats a long-duration event split into segments (§2.5.1.3) as one digit', () => {
    const det = new DtmfDetector()
    const got = collect(det)
    det.feed(pkt('0', 60000), 1000, 1)
    det.feed(pkt('0', 0xffff), 1000, 2)
    det.feed(pkt('0', 800), 1000 + 0xffff, 3)
    det.feed(pkt('0', 1600, true), 1000 + 0xffff, 4)
    expect(got).toEqual([['0', Math.round(((0xffff + 1600) * 1000) / 8000)]])
  })

  it('drops and counts malformed and non-DTMF payloads', () => {
    const det = new DtmfDetector()
    const got = collect(det)
    det.feed(Buffer.from([1, 2]), 0, 1)
    det.feed(encodeTelephoneEvent({ event: 16, duration: 160, end: true })!, 0, 2) // flash hook
    expect(got).toEqual([])
    expect(det.stats()).toMatchObject({ malformed: 1, nonDtmf: 1 })
  })

  it('keeps working when a digit listener throws', () => {
    const det = new DtmfDetector()
    det.on('digit', () => {
      throw new Error('listener bug')
    })
    const got = collect(det)
    expect(() => det.feed(pkt('8', 800, true), 0, 1)).not.toThrow()
    expect(got.map(([d]) => d)).toEqual(['8'])
    expect(det.stats().listenerErrors).toBe(1)
  })

  it('close() cancels the guard timer and emits nothing more', () => {
    const det = new DtmfDetector()
    const got = collect(det)
    det.feed(pkt('1', 160), 0, 1)
    det.close()
    vi.advanceTimersByTime(5000)
    det.feed(pkt('2', 160, true), 800, 2)
    expect(got).toEqual([])
    expect(vi.getTimerCount()).toBe(0)
  })
})
