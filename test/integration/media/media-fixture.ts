import { afterEach, beforeEach } from 'vitest'
import { pino } from 'pino'
import { createEmbeddedMediaEngine, type EmbeddedEndpoint, type EmbeddedMediaEngine } from '../../../src/media/index.js'
import type { RtpIoKind } from '../../../src/media/embedded/rtp/rtp-io.js'
import { RtpPeer, type RtpPeerOptions } from '../../support/rtp-peer.js'

/** The RTP port range of the media-core tests. */
export const PORT_MIN = 42000
export const PORT_MAX = 42999

/** Both UDP layers of the embedded engine: suites that run on each use describe.each(RTP_IO_KINDS). */
export const RTP_IO_KINDS: RtpIoKind[] = ['native', 'dgram']

export function testEngine(opts: { portMin?: number; portMax?: number; rtpTimeoutMs?: number; io?: RtpIoKind } = {}): EmbeddedMediaEngine {
  return createEmbeddedMediaEngine({
    host: '127.0.0.1',
    portMin: opts.portMin ?? PORT_MIN,
    portMax: opts.portMax ?? PORT_MAX,
    rtpTimeoutMs: opts.rtpTimeoutMs,
    io: opts.io ?? 'native',
    logger: pino({ level: 'silent' }),
  })
}

export interface Leg {
  peer: RtpPeer
  ep: EmbeddedEndpoint
}

/** A far end (real UDP peer) that offers; the engine answers; the peer targets the answer. */
export async function leg(engine: EmbeddedMediaEngine, opts: RtpPeerOptions & { offer?: Parameters<RtpPeer['offer']>[0] } = {}): Promise<Leg> {
  const peer = await RtpPeer.create(opts)
  const ep = await engine.createEndpoint({ remoteSdp: peer.offer(opts.offer) })
  peer.target(ep.localSdp)
  return { peer, ep }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Packets received by `peer` since `from` (an index into peer.received). */
export function since(peer: RtpPeer, from: number) {
  return peer.received.slice(from)
}

/**
 * The per-test engine and legs most media tests use: a fresh engine before each test,
 * every leg's peer closed and the engine closed after it. Call inside a `describe`.
 */
export function useMediaEngine(opts: Parameters<typeof testEngine>[0] = {}): {
  engine: () => EmbeddedMediaEngine
  open: (legOpts?: Parameters<typeof leg>[1]) => Promise<Leg>
} {
  let engine: EmbeddedMediaEngine
  const legs: Leg[] = []
  beforeEach(() => {
    engine = testEngine(opts)
  })
  afterEach(async () => {
    for (const l of legs.splice(0)) await l.peer.close()
    await engine.close()
  })
  return {
    engine: () => engine,
    open: async (legOpts) => {
      const l = await leg(engine, legOpts)
      legs.push(l)
      return l
    },
  }
}
