import { getHeader, parseCSeq, parseVia, getTag, type SipMessage, type SipRequest, type Via } from '../message/index.js'

const MAGIC_COOKIE = 'z9hG4bK'

/**
 * Server transaction key, RFC 3261 §17.2.3: branch + sent-by + method, where an ACK
 * matches its INVITE. For RFC 2543 peers without the magic cookie, §17.2.3's fallback
 * (Call-ID, CSeq number, From tag, top Via) is used. A CANCEL has its own key.
 */
export function serverKey(req: SipRequest, methodOverride?: string, topVia?: Via): string {
  const method = methodOverride ?? (req.method === 'ACK' ? 'INVITE' : req.method)
  const viaValue = getHeader(req, 'via') ?? ''
  const via = topVia ?? parseVia(viaValue)
  const branch = via.params.get('branch') ?? ''
  if (branch.startsWith(MAGIC_COOKIE)) return `${branch}|${via.host}:${via.port ?? ''}|${method}`
  const cseq = parseCSeq(getHeader(req, 'cseq') ?? '0 X')
  return `2543|${getHeader(req, 'call-id')}|${cseq.seq}|${getTag(getHeader(req, 'from') ?? '')}|${viaValue}|${method}`
}

/** Client transaction key, RFC 3261 §17.1.3: top Via branch + CSeq method. */
export function clientKey(msg: SipMessage): string {
  const via = parseVia(getHeader(msg, 'via') ?? '')
  const method = parseCSeq(getHeader(msg, 'cseq') ?? '0 X').method
  return `${via.params.get('branch') ?? ''}|${method === 'ACK' ? 'INVITE' : method}`
}

export function newBranch(): string {
  return MAGIC_COOKIE + Math.random().toString(36).slice(2, 12) + Date.now().toString(36)
}
