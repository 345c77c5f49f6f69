import { describe, expect, it } from 'vitest'
import { g711TranscodeInPlace } from '../../../src/media/embedded/codec/g711.js'
import { toneRatio } from '../../support/rtp-peer.js'
import { sleep, useMediaEngine, RTP_IO_KINDS } from './media-fixture.js'

describe.each(RTP_IO_KINDS)('bridge: real UDP peers at 20 ms pace (%s I/O)', (io) => {
  const media = useMediaEngine({ io })
  const open = media.open

  it('relays audio both ways, each far end hearing only the other', async () => {
    const a = await open({ payload: { kind: 'marker', octet: 0x11 } })
    const b = await open({ payload: { kind: 'marker', octet: 0x22 } })
    await a.ep.bridge(b.ep)
    a.peer.start()
    b.peer.start()
    await sleep(600)
    a.peer.stop()
    b.peer.stop()
    await sleep(50)
    const atA = a.peer.audio()
    const atB = b.peer.audio()
    expect(atA.length).toBeGreaterThan(20)
    expect(atB.length).toBeGreaterThan(20)
    expect(atA.every((p) => p.payload.every((o) => o === 0x22))).toBe(true)
    expect(atB.every((p) => p.payload.every((o) => o === 0x11))).toBe(true)
    // symmetric RTP: what we send comes from the port we advertised
    expect(atA[0].from.port).toBe(a.ep.port)
    // each far end sees our stream, not the other peer's numbering
    expect(atA[0].ssrc).not.toBe(b.peer.ssrc)
    expect(a.peer.continuity(atA)).toMatchObject({ ssrcs: [atA[0].ssrc], seqJumps: [], tsJumps: [] })
    expect(b.peer.continuity(atB)).toMatchObject({ seqJumps: [], tsJumps: [] })
    // no decode, no transcode for two PCMU legs
    expect(media.engine().stats().counters.packetsTranscoded).toBe(0)
    // nearly everything sent arrived (loopback)
    expect(atB.length).toBeGreaterThanOrEqual(a.peer.sent - 2)
  })

  it('transcodes PCMU↔PCMA when the legs differ: the 1 kHz tone arrives intact', async () => {
    const u = await open({ codec: 'PCMU', payload: { kind: 'tone', freq: 1000 } })
    const a = await open({ codec: 'PCMA', offer: { codecs: ['PCMA'] }, payload: { kind: 'marker', octet: 0xd5 ^ 0x01 } })
    expect(u.ep.codec).toBe('PCMU')
    expect(a.ep.codec).toBe('PCMA')
    await u.ep.bridge(a.ep)
    u.peer.start()
    a.peer.start()
    await sleep(500)
    u.peer.stop()
    a.peer.stop()
    await sleep(50)
    const atA = a.peer.audio()
    expect(atA.length).toBeGreaterThan(15)
    expect(atA.every((p) => p.pt === 8)).toBe(true)
    expect(toneRatio(a.peer.decode(atA, 'PCMA'), 1000)).toBeGreaterThan(0.9)
    const atU = u.peer.audio()
    expect(atU.every((p) => p.pt === 0)).toBe(true)
    const expected = Uint8Array.of(0xd5 ^ 0x01)
    g711TranscodeInPlace('PCMA', expected, 0, 1)
    expect(atU.every((p) => p.payload.every((o) => o === expected[0]))).toBe(true)
    expect(media.engine().stats().counters.packetsTranscoded).toBeGreaterThan(30)
  })

  it('keeps SSRC, seq and ts continuous at the far end across unbridge and re-bridge', async () => {
    const a = await open({ payload: { kind: 'marker', octet: 0x11 } })
    const b = await open({ payload: { kind: 'marker', octet: 0x22 } })
    const c = await open({ payload: { kind: 'marker', octet: 0x33 } })
    a.peer.start()
    b.peer.start()
    c.peer.start()
    await a.ep.bridge(b.ep)
    await sleep(300)
    await a.ep.unbridge()
    await sleep(200) // A hears nothing meanwhile
    await a.ep.bridge(c.ep) // now A talks with C
    await sleep(300)
    await a.ep.bridge(b.ep) // and back to B (bridge moves A away from C)
    await sleep(300)
    for (const l of [a, b, c]) l.peer.stop()
    await sleep(50)
    const atA = a.peer.audio()
    const heard = new Set(atA.map((p) => p.payload[0]))
    expect(heard).toEqual(new Set([0x22, 0x33]))
    const report = a.peer.continuity(atA)
    expect(report.ssrcs).toHaveLength(1)
    expect(report.seqJumps).toEqual([])
    expect(report.tsJumps).toEqual([])
    expect(c.ep.bridgedTo).toBeNull()
  })

  it('refuses to bridge an endpoint with itself or after close', async () => {
    const a = await open()
    const b = await open()
    await expect(a.ep.bridge(a.ep)).rejects.toMatchObject({ code: 'LIVECALL_ERR_MEDIA_STATE' })
    await b.ep.close()
    await expect(a.ep.bridge(b.ep)).rejects.toMatchObject({ code: 'LIVECALL_ERR_MEDIA_CLOSED' })
    await expect(b.ep.play({ type: 'silence', durationMs: 20 })).rejects.toMatchObject({ code: 'LIVECALL_ERR_MEDIA_CLOSED' })
  })

  it('closing one side unbridges the other', async () => {
    const a = await open()
    const b = await open()
    await a.ep.bridge(b.ep)
    await b.ep.close()
    expect(a.ep.bridgedTo).toBeNull()
    expect(media.engine().stats().endpoints).toBe(1)
  })
})
