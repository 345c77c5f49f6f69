import { describe, expect, it } from 'vitest'
import { toneRatio } from '../../support/rtp-peer.js'
import { sleep, useMediaEngine, RTP_IO_KINDS } from './media-fixture.js'

describe.each(RTP_IO_KINDS)('play: prompts paced at 20 ms by the shared pacer (%s I/O)', (io) => {
  const media = useMediaEngine({ io })
  const open = media.open

  it('plays a tone to the far end in 20 ms packets at real pace and resolves when done', async () => {
    const a = await open({ codec: 'PCMA', offer: { codecs: ['PCMA'] } })
    const result = await a.ep.play({ type: 'tone', freqs: [1000], durationMs: 400 })
    await sleep(30)
    expect(result).toEqual({ aborted: false, playedMs: 400 })
    const got = a.peer.audio()
    expect(got).toHaveLength(20)
    expect(got.every((p) => p.payload.length === 160 && p.pt === 8)).toBe(true)
    const span = got[got.length - 1].at - got[0].at
    expect(span).toBeGreaterThan(19 * 20 - 40)
    expect(span).toBeLessThan(19 * 20 + 40)
    expect(toneRatio(a.peer.decode(got, 'PCMA'), 1000)).toBeGreaterThan(0.9)
    expect(a.peer.continuity(got)).toMatchObject({ ssrcs: [got[0].ssrc], seqJumps: [], tsJumps: [] })
  })

  it('loops a prompt the given number of times', async () => {
    const a = await open()
    const result = await a.ep.play({ type: 'tone', freqs: [440], durationMs: 100, loop: 3 })
    expect(result).toEqual({ aborted: false, playedMs: 300 })
    await sleep(30)
    expect(a.peer.audio()).toHaveLength(15)
  })

  it('stops at once when the AbortSignal fires (loop 0 = forever)', async () => {
    const a = await open()
    const ac = new AbortController()
    const playing = a.ep.play({ type: 'tone', freqs: [440], durationMs: 100, loop: 0 }, ac.signal)
    await sleep(300)
    ac.abort()
    const result = await playing
    expect(result.aborted).toBe(true)
    expect(result.playedMs).toBeGreaterThanOrEqual(200)
    await sleep(5) // a packet sent just before the abort may still be on its way
    const n = a.peer.audio().length
    await sleep(100)
    expect(a.peer.audio().length).toBe(n)
    expect(media.engine().stats().pacerClients).toBe(0)
  })

  it('a prompt replaces what the bridged party says, then the relay resumes on the same continuous stream', async () => {
    const a = await open({ payload: { kind: 'marker', octet: 0x11 } })
    const b = await open({ payload: { kind: 'marker', octet: 0x22 } })
    await a.ep.bridge(b.ep)
    a.peer.start()
    b.peer.start()
    await sleep(200)
    await a.ep.play({ type: 'silence', durationMs: 300 })
    await sleep(200)
    a.peer.stop()
    b.peer.stop()
    await sleep(40)
    const atA = a.peer.audio()
    const kinds = atA.map((p) => (p.payload[0] === 0x22 ? 'B' : p.payload[0] === 0xff ? 'prompt' : '?'))
    expect(kinds).not.toContain('?')
    const runs = kinds.filter((k, i) => i === 0 || kinds[i - 1] !== k)
    expect(runs).toEqual(['B', 'prompt', 'B'])
    expect(kinds.filter((k) => k === 'prompt')).toHaveLength(15)
    expect(a.peer.continuity(atA)).toMatchObject({ ssrcs: [atA[0].ssrc], seqJumps: [], tsJumps: [] })
    // B kept hearing A meanwhile
    expect(b.peer.audio().every((p) => p.payload[0] === 0x11)).toBe(true)
  })

  it('one pacer serves many concurrent prompts', async () => {
    const ls = await Promise.all(Array.from({ length: 20 }, () => open()))
    const results = await Promise.all(ls.map((l) => l.ep.play({ type: 'tone', freqs: [500], durationMs: 200 })))
    await sleep(30)
    expect(results.every((r) => !r.aborted && r.playedMs === 200)).toBe(true)
    expect(ls.every((l) => l.peer.audio().length === 10)).toBe(true)
    expect(media.engine().pacer.ticks).toBeLessThan(20)
  })

  it('a new prompt replaces the one playing (the first resolves aborted)', async () => {
    const a = await open()
    const first = a.ep.play({ type: 'tone', freqs: [440], durationMs: 2000 })
    await sleep(100)
    const second = await a.ep.play({ type: 'silence', durationMs: 100 })
    expect((await first).aborted).toBe(true)
    expect(second).toEqual({ aborted: false, playedMs: 100 })
  })

  it('closing the endpoint ends the prompt', async () => {
    const a = await open()
    const playing = a.ep.play({ type: 'tone', freqs: [440], durationMs: 5000 })
    await sleep(60)
    await a.ep.close()
    expect((await playing).aborted).toBe(true)
  })
})
