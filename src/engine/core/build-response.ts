import { formatNameAddr, getTag, parseNameAddr, type SipHeader, type SipRequest, type SipResponse } from '../message/index.js'

const REASONS: Record<number, string> = {
  100: 'Trying',
  200: 'OK',
  400: 'Bad Request',
  408: 'Request Timeout',
  420: 'Bad Extension',
  481: 'Call/Transaction Does Not Exist',
  487: 'Request Terminated',
  491: 'Request Pending',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
}

export function reasonFor(status: number): string {
  return REASONS[status] ?? 'Unknown'
}

/**
 * A response built from a request (RFC 3261 §8.2.6.2): Via, From, Call-ID and CSeq copied,
 * To copied with `toTag` added when it has none (omitted for 100 Trying, §8.2.6.2).
 */
export function buildResponse(req: SipRequest, status: number, opts: { reason?: string; toTag?: string; headers?: SipHeader[]; body?: Buffer } = {}): SipResponse {
  const headers: SipHeader[] = []
  for (const h of req.headers) {
    if (h.name === 'via' || h.name === 'from' || h.name === 'call-id' || h.name === 'cseq') headers.push({ name: h.name, value: h.value })
    else if (h.name === 'to') headers.push({ name: 'to', value: withTag(h.value, status === 100 ? undefined : opts.toTag) })
  }
  if (opts.headers) headers.push(...opts.headers)
  return { kind: 'response', status, reason: opts.reason ?? reasonFor(status), headers, body: opts.body ?? Buffer.alloc(0) }
}

/** Add `;tag=` to a From/To value that has none. */
export function withTag(value: string, tag: string | undefined): string {
  if (!tag || getTag(value) !== undefined) return value
  const na = parseNameAddr(value)
  na.params.set('tag', tag)
  return formatNameAddr(na)
}
