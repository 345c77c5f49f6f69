import { timingSafeEqual } from 'node:crypto'
import { livecallSignatureDigest } from './sign-livecall-request.js'

/**
 * Checks an `X-Livecall-Signature` header (`t=<unix seconds>,v1=<hex>`) against the
 * exact raw body received (for GET: the query string without the leading `?`).
 * True when one `v1` value equals HMAC-SHA256(secret, `${t}.${rawBody}`) (compared in
 * constant time) and `t` is within `toleranceS` seconds of now (replay window).
 */
export function verifyLivecallSignature(
  secret: string,
  header: string | undefined | null,
  rawBody: string | Uint8Array,
  toleranceS = 300,
): boolean {
  if (typeof header !== 'string' || header === '') return false
  let t: number | undefined
  const candidates: string[] = []
  for (const part of header.split(',')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const key = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (key === 't' && /^\d+$/.test(value)) t = Number(value)
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) candidates.push(value.toLowerCase())
  }
  if (t === undefined || candidates.length === 0) return false
  if (Math.abs(Math.floor(Date.now() / 1000) - t) > toleranceS) return false

  const expected = Buffer.from(livecallSignatureDigest(secret, t, rawBody), 'hex')
  let ok = false
  for (const candidate of candidates) {
    // every candidate is compared, so the time taken does not tell which one matched
    if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) ok = true
  }
  return ok
}
