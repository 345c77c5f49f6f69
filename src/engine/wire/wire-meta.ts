import type { Peer } from '../transport/peer.js'

/**
 * `<meta6>` of drachtio-protocol.md §A.3: `source|bytes|protocol|address|port|time`,
 * `time` as HH:MM:SS.usec. `source` is `network` for what we received, `application`
 * for what we sent on the app's behalf; address:port is the far end either way.
 */
export function meta6(source: 'network' | 'application', bytes: number, peer: Peer): string {
  return `${source}|${bytes}|${peer.protocol}|${peer.address}|${peer.port}|${wireTime()}`
}

/** UTC, as drachtio-server computes it from `tv_sec % 86400` (drachtio.cpp SipMsgData_t, cdr.cpp). */
export function wireTime(now = new Date()): string {
  const p2 = (n: number) => String(n).padStart(2, '0')
  const usec = String(now.getUTCMilliseconds() * 1000).padStart(6, '0')
  return `${p2(now.getUTCHours())}:${p2(now.getUTCMinutes())}:${p2(now.getUTCSeconds())}.${usec}`
}
