import type { Peer } from '../transport/peer.js'

/**
 * `<meta6>` of drachtio-protocol.md §A.3: `source|bytes|protocol|address|port|time`,
 * `time` as HH:MM:SS.usec. `source` is `network` for what we received, `application`
 * for what we sent on the app's behalf; address:port is the far end either way.
 */
export function meta6(source: 'network' | 'application', bytes: number, peer: Peer): string {
  return `${source}|${bytes}|${peer.protocol}|${peer.address}|${peer.port}|${wireTime()}`
}

/** `HH:MM:SS.` of the last second formatted (every message of a second shares it) */
let cachedSecond = Number.NaN
let cachedPrefix = ''

/**
 * UTC, as drachtio-server computes it from `tv_sec % 86400` (drachtio.cpp SipMsgData_t,
 * cdr.cpp). Millisecond precision (the microsecond digits end in 000).
 */
export function wireTime(now: Date | number = Date.now()): string {
  const ms = typeof now === 'number' ? now : now.getTime()
  const second = Math.floor(ms / 1000)
  if (second !== cachedSecond) {
    const s = ((second % 86400) + 86400) % 86400
    cachedPrefix = `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}.`
    cachedSecond = second
  }
  const milli = ms - second * 1000
  return `${cachedPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}000`
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}
