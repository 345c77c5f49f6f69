import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RtpPeer, type ReceivedPacket } from '../../support/rtp-peer.js'

/** The test peer's continuity check is what media tests trust: it must catch a real jump and ignore arrival noise. */
describe('RtpPeer.continuity', () => {
  let peer: RtpPeer
  beforeAll(async () => {
    peer = await RtpPeer.create()
  })
  afterAll(() => peer.close())

  const stream = (n: number, opts: { tsJumpAt?: number; tsShiftMs?: number; lateFirstMs?: number; stall?: { at: number; ms: number } } = {}): ReceivedPacket[] =>
    Array.from({ length: n }, (_, i) => ({
      seq: 100 + i,
      ts: 8000 + i * 160 + (opts.tsJumpAt !== undefined && i >= opts.tsJumpAt ? (opts.tsShiftMs ?? 1000) * 8 : 0),
      ssrc: 7,
      pt: 0,
      marker: false,
      payload: Buffer.alloc(160),
      // a stall: every packet due during it arrives when it ends, in one burst
      at: Math.max(1000 + i * 20 - (i === 0 ? 0 : (opts.lateFirstMs ?? 0)), opts.stall && i >= opts.stall.at ? 1000 + opts.stall.at * 20 + opts.stall.ms : 0),
      from: { address: '127.0.0.1', port: 1 },
    }))

  it('a steady stream has no jumps', () => {
    expect(peer.continuity(stream(40))).toMatchObject({ seqJumps: [], tsJumps: [] })
  })

  it('a 1 s timestamp jump is caught where it happens', () => {
    const r = peer.continuity(stream(40, { tsJumpAt: 20 }))
    expect(r.tsJumps).toHaveLength(1)
    expect(r.tsJumps[0]).toMatchObject({ index: 20, tsDeltaMs: 1020 })
  })

  it('a source switch that leaves the stream 18 ms ahead of the clock is caught', () => {
    const r = peer.continuity(stream(40, { tsJumpAt: 20, tsShiftMs: 18 }))
    expect(r.tsJumps).toHaveLength(1)
    expect(r.tsJumps[0]).toMatchObject({ index: 20, tsDeltaMs: 38 })
  })

  it('a 180 ms stall followed by a burst of the packets due meanwhile is not a jump', () => {
    const packets = stream(40, { stall: { at: 9, ms: 180 } })
    expect(packets[9].at).toBe(packets[17].at) // the burst
    expect(peer.continuity(packets).tsJumps).toEqual([])
  })

  it('a first packet that arrived late (a stalled receiver) is not a jump', () => {
    // packets 1.. arrived 25 ms "early" relative to packet 0, their timestamps steady
    expect(peer.continuity(stream(40, { lateFirstMs: 25 })).tsJumps).toEqual([])
  })
})
