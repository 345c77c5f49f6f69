/**
 * RFC 3261 §16.7 step 6, "choosing the best response", in the order drachtio-server sorts
 * its branches (sip-proxy-controller.cpp `bestResponseOrder`): any 6xx first, then the
 * responses a caller can act on (401, 407, 415, 420, 484), then other 4xx, then 5xx, then
 * the rest (3xx). Among equals the earliest branch wins. A 503 is passed on as it is, as
 * drachtio-server does (RFC 3261 says a proxy turns it into 500).
 */
const ACTIONABLE = new Set([401, 407, 415, 420, 484])

export function responseRank(status: number): number {
  if (status >= 600) return 0
  if (ACTIONABLE.has(status)) return 1
  if (status >= 400 && status < 500) return 2
  if (status >= 500 && status < 600) return 3
  return 4
}

/** The index of the best of `statuses` (in branch order), or -1 when there is none. */
export function bestResponse(statuses: readonly number[]): number {
  let best = -1
  for (let i = 0; i < statuses.length; i++) {
    if (best === -1 || responseRank(statuses[i]) < responseRank(statuses[best])) best = i
  }
  return best
}
