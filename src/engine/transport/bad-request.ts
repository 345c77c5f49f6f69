import type { SipRequest, SipResponse } from '../message/index.js'

/**
 * A 400 for a request the parser could only partly read (RFC 3261 §8.2.2 / §21.4.1):
 * the Via, From, To, Call-ID and CSeq are copied so the sender can match it.
 */
export function badRequestFor(partial: SipRequest, reason: string): SipResponse {
  const copied = new Set(['via', 'from', 'to', 'call-id', 'cseq'])
  return {
    kind: 'response',
    status: 400,
    reason: `Bad Request - ${reason.replace(/[\r\n]+/g, ' ').slice(0, 80)}`,
    headers: partial.headers.filter((h) => copied.has(h.name)).map((h) => ({ name: h.name, value: h.value })),
    body: Buffer.alloc(0),
  }
}
