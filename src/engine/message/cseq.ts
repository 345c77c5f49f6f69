import { SipParseError } from './types.js'

/** RFC 3261 §25.1 token (a method name) */
const METHOD_RE = /^[A-Za-z0-9\-.!%*_+`'~]+$/

/**
 * Parse a CSeq value (RFC 3261 §20.16): `1*DIGIT LWS Method`. The number must be
 * below 2**31 (§8.1.1.5). The method is returned as written (methods are case-sensitive).
 * Throws SipParseError.
 */
export function parseCSeq(value: string): { seq: number; method: string } {
  let i = 0
  const n = value.length
  while (i < n && isLws(value.charCodeAt(i))) i++
  const numStart = i
  let seq = 0
  for (; i < n; i++) {
    const d = value.charCodeAt(i) - 48
    if (d < 0 || d > 9) break
    seq = seq * 10 + d
  }
  const digits = i - numStart
  if (digits === 0 || digits > 10 || seq >= 2 ** 31) throw new SipParseError(`invalid CSeq number: ${value}`)
  if (i === n || !isLws(value.charCodeAt(i))) throw new SipParseError(`invalid CSeq: ${value}`)
  const method = value.slice(i).trim()
  if (!METHOD_RE.test(method)) throw new SipParseError(`invalid CSeq method: ${value}`)
  return { seq, method }
}

function isLws(c: number): boolean {
  return c === 0x20 || c === 0x09
}
