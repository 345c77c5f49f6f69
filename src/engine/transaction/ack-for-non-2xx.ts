import { getHeaders, parseCSeq, getHeader, type SipRequest, type SipResponse, type SipHeader } from '../message/index.js'

/**
 * The ACK a client INVITE transaction sends for a non-2xx final response
 * (RFC 3261 §17.1.1.3): same Request-URI, Call-ID, From, CSeq number and top Via as the
 * INVITE, the To of the response (with its tag), and the INVITE's Route headers.
 */
export function ackForNon2xx(invite: SipRequest, res: SipResponse): SipRequest {
  const headers: SipHeader[] = []
  const topVia = getHeader(invite, 'via')
  if (topVia) headers.push({ name: 'via', value: topVia })
  for (const name of ['max-forwards', 'from'] as const) {
    const v = getHeader(invite, name)
    if (v) headers.push({ name, value: v })
  }
  headers.push({ name: 'to', value: getHeader(res, 'to') ?? getHeader(invite, 'to') ?? '' })
  headers.push({ name: 'call-id', value: getHeader(invite, 'call-id') ?? '' })
  const cseq = parseCSeq(getHeader(invite, 'cseq') ?? '1 INVITE')
  headers.push({ name: 'cseq', value: `${cseq.seq} ACK` })
  for (const r of getHeaders(invite, 'route')) headers.push({ name: 'route', value: r })
  return { kind: 'request', method: 'ACK', uri: invite.uri, headers, body: Buffer.alloc(0) }
}
