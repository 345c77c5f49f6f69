import { pino } from 'pino'
import { createEmbeddedMediaEngine, type EmbeddedEndpoint, type EmbeddedMediaEngine } from '../../../src/media/index.js'
import { RtpPeer, type RtpPeerOptions } from '../../support/rtp-peer.js'

/** The RTP port range of the media-core tests. */
export const PORT_MIN = 42000
export const PORT_MAX = 42999

export function testEngine(opts: { portMin?: number; portMax?: number; rtpTimeoutMs?: number } = {}): EmbeddedMediaEngine {
  return createEmbeddedMediaEngine({
    host: '127.0.0.1',
    portMin: opts.portMin ?? PORT_MIN,
    portMax: opts.portMax ?? PORT_MAX,
    rtpTimeoutMs: opts.rtpTimeoutMs,
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
