import { describe, expect, it } from 'vitest'
import { parseTelephoneEvent, type TelephoneEvent } from '../../../src/media/embedded/dtmf/index.js'
import type { ReceivedPacket, RtpPeer } from '../../support/rtp-peer.js'
import { useMediaEngine } from './media-fixture.js'

interface ReceivedEvent {
  ts: number
  packets: Array<ReceivedPacket & { ev: TelephoneEvent }>
}

/** The RFC 4733 events `peer` received, grouped by RTP timestamp (one event = one ts). */
function eventsAt(peer: RtpPeer): ReceivedEvent[] {
  const out: ReceivedEvent[] = []
  for (const p of peer.received) {
    if (p.pt !== peer.telephoneEventPt) continue
    const ev = parseTelephoneEvent(p.payload)!
    let e = out.at(-1)
    if (!e || e.ts !== p.ts) out.push((e = { ts: p.ts, packets: [] }))
    e.packets.push({ ...p, ev })
  }
  return out
}

/** RFC 4733 §2.5.1: marker on the first packet only, growing durations, then exactly three end packets. */
function expectWellFormed(e: ReceivedEvent, code: number, durationMs: number): void {
  expect(e.packets.every((p) => p.ev.event === code)).toBe(true)
  expect(e.packets.map((p) => p.marker)).toEqual(e.packets.map((_, i) => i === 0))
  const ends = e.packets.filter((p) => p.ev.end)
  expect(ends).toHaveLength(3)
  expect(e.packets.slice(-3).every((p) => p.ev.end)).toBe(true)
  expect(ends.every((p) => p.ev.duration === durationMs * 8)).toBe(true)
  const updates = e.packets.filter((p) => !p.ev.end).map((p) => p.ev.duration)
  expect(updates.length).toBeGreaterThan(0)
  expect([...updates].sort((a, b) => a - b)).toEqual(updates)
  expect(updates.at(-1)!).toBeLessThan(durationMs * 8)
}

describe('sendDigits: RFC 4733 events to the far end', () => {
  const media = useMediaEngine()

  it('each digit is one event with its code, marker, same timestamp and three end packets; one stream throughout', async () => {
    const a = await media.open({ telephoneEventPt: 96 })
    await a.ep.sendDigits('1#A', { durationMs: 100 })
    await a.peer.waitFor(() => eventsAt(a.peer).length === 3 && eventsAt(a.peer)[2].packets.filter((p) => p.ev.end).length === 3, 3000, 'three events')
    const events = eventsAt(a.peer)
    expect(events).toHaveLength(3)
    expectWellFormed(events[0], 1, 100)
    expectWellFormed(events[1], 11, 100)
    expectWellFormed(events[2], 12, 100)
    // each event starts after the previous one ended (RFC 3550 §5.1: ts follows the clock)
    expect(((events[1].ts - events[0].ts) >>> 0) >= 100 * 8).toBe(true)
    expect(new Set(a.peer.received.map((p) => p.ssrc)).size).toBe(1)
    expect(a.peer.continuity()).toMatchObject({ seqJumps: [] })
  })

  it('the default duration is 500 ms, and w pauses 500 ms between two digits', async () => {
    const a = await media.open()
    await a.ep.sendDigits('5w9')
    await a.peer.waitFor(() => eventsAt(a.peer).at(-1)?.packets.filter((p) => p.ev.end).length === 3 && eventsAt(a.peer).length === 2, 3000, 'both events')
    const events = eventsAt(a.peer)
    expect(events).toHaveLength(2)
    expectWellFormed(events[0], 5, 500)
    expectWellFormed(events[1], 9, 500)
    expect(((events[1].ts - events[0].ts) >>> 0) >= (500 + 500) * 8).toBe(true)
  })

  it('a prompt playing waits while an event is sent, then goes on, on the same stream', async () => {
    const a = await media.open()
    const playing = a.ep.play({ type: 'tone', freqs: [440], durationMs: 600 })
    await a.peer.waitFor(() => a.peer.audio().length >= 5, 3000, 'prompt audio')
    await a.ep.sendDigits('7', { durationMs: 100 })
    expect((await playing).aborted).toBe(false)
    await a.peer.waitFor(() => a.peer.received.at(-1)?.pt !== a.peer.telephoneEventPt, 3000, 'audio after the event')
    const pts = a.peer.received.map((p) => (p.pt === a.peer.telephoneEventPt ? 'e' : 'a')).join('')
    expect(pts).toMatch(/^a+e+a+$/) // audio, the whole event, audio again: nothing interleaved
    expectWellFormed(eventsAt(a.peer)[0], 7, 100)
    expect(a.peer.continuity()).toMatchObject({ seqJumps: [] })
    expect(new Set(a.peer.received.map((p) => p.ssrc)).size).toBe(1)
  })

  it('an abort ends the event in progress with its end packets and skips the rest', async () => {
    const a = await media.open()
    const ac = new AbortController()
    const sending = a.ep.sendDigits('12', { durationMs: 2000 }, ac.signal)
    await a.peer.waitFor(() => eventsAt(a.peer).length === 1 && eventsAt(a.peer)[0].packets.length >= 3, 3000, 'the first event under way')
    ac.abort()
    await sending
    await a.peer.waitFor(() => eventsAt(a.peer)[0].packets.filter((p) => p.ev.end).length === 3, 3000, 'the end packets')
    const events = eventsAt(a.peer)
    expect(events).toHaveLength(1)
    const ends = events[0].packets.filter((p) => p.ev.end)
    expect(ends).toHaveLength(3)
    expect(ends[0].ev.duration).toBeLessThan(2000 * 8)
  })

  it('refuses characters that are not DTMF, and digits towards a party without telephone-event', async () => {
    const a = await media.open()
    await expect(a.ep.sendDigits('12x')).rejects.toMatchObject({ code: 'LIVECALL_ERR_MEDIA_BAD_DIGITS' })
    const b = await media.open({ offer: { telephoneEvent: false } })
    await expect(b.ep.sendDigits('1')).rejects.toMatchObject({ code: 'LIVECALL_ERR_MEDIA_STATE' })
    expect(a.peer.received).toEqual([])
  })
})
