import { describe, expect, it } from 'vitest'
import { sleep, useMediaEngine } from './media-fixture.js'

describe('DTMF (RFC 4733) on an endpoint', () => {
  const media = useMediaEngine()
  const open = media.open

  it('collectDigits gets each digit once, whatever the retransmitted end packets', async () => {
    const a = await open({ telephoneEventPt: 96 })
    const events: string[] = []
    a.ep.on('dtmf', (d) => events.push(d))
    a.peer.start()
    const collecting = a.ep.collectDigits({ maxDigits: 3, timeoutMs: 5000 })
    for (const d of ['1', '2', '#']) a.peer.sendDigit(d, 60)
    expect(await collecting).toEqual({ digits: '12#', reason: 'maxDigits' })
    expect(events).toEqual(['1', '2', '#'])
  })

  it('finishOnKey and the overall timeout', async () => {
    const a = await open()
    a.peer.start()
    const c1 = a.ep.collectDigits({ finishOnKey: '#', timeoutMs: 5000 })
    for (const d of ['4', '2', '#']) a.peer.sendDigit(d, 60)
    expect(await c1).toEqual({ digits: '42', reason: 'finishOnKey' })
    expect(await a.ep.collectDigits({ timeoutMs: 150 })).toEqual({ digits: '', reason: 'timeout' })
  })

  it('an AbortSignal or closing the endpoint ends the collection', async () => {
    const a = await open()
    const ac = new AbortController()
    const c = a.ep.collectDigits({ timeoutMs: 5000 }, ac.signal)
    ac.abort()
    expect((await c).reason).toBe('aborted')
    const c2 = a.ep.collectDigits({ timeoutMs: 5000 })
    await a.ep.close()
    expect((await c2).reason).toBe('aborted')
  })

  it('relays events to the bridged party with its own telephone-event PT, on the same stream as the audio', async () => {
    const a = await open({ telephoneEventPt: 96 })
    const b = await open({ telephoneEventPt: 101 })
    await a.ep.bridge(b.ep)
    a.peer.start()
    b.peer.start()
    await sleep(100)
    a.peer.sendDigit('5', 100)
    await sleep(300)
    a.peer.stop()
    b.peer.stop()
    await sleep(30)
    const ev = b.peer.received.filter((p) => p.pt === 101)
    expect(ev.length).toBeGreaterThanOrEqual(5)
    expect(ev.every((p) => p.payload[0] === 5)).toBe(true)
    expect(new Set(ev.map((p) => p.ts)).size).toBe(1) // one event, one timestamp (RFC 4733 §2.5.1.1)
    expect(new Set(b.peer.received.map((p) => p.ssrc)).size).toBe(1)
    expect(b.peer.continuity()).toMatchObject({ seqJumps: [], tsJumps: [] })
  })

  it('a muted party\'s digits are not passed on but still collected', async () => {
    const a = await open()
    const b = await open()
    await a.ep.bridge(b.ep)
    await a.ep.mute('receive')
    a.peer.start()
    b.peer.start()
    const c = a.ep.collectDigits({ maxDigits: 1, timeoutMs: 3000 })
    a.peer.sendDigit('9', 60)
    expect(await c).toEqual({ digits: '9', reason: 'maxDigits' })
    await sleep(60)
    expect(b.peer.received.filter((p) => p.pt === 101)).toEqual([])
    expect(b.peer.continuity()).toMatchObject({ seqJumps: [] })
  })

  it('events are dropped (not relayed) towards a party that did not negotiate telephone-event', async () => {
    const a = await open()
    const b = await open({ offer: { telephoneEvent: false } })
    await a.ep.bridge(b.ep)
    a.peer.start()
    a.peer.sendDigit('3', 60)
    await sleep(300)
    expect(b.peer.received.some((p) => p.pt === 101)).toBe(false)
    expect(b.peer.continuity()).toMatchObject({ seqJumps: [] })
  })
})
