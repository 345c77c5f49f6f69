import type Srf from 'drachtio-srf'

/** A SIP request or response as the call layer sees it: plain data, no drachtio-srf object. */
export interface SipMessageView {
  method?: string
  status?: number
  reason?: string
  headers: Record<string, string>
  body: string
}

/** Headers of a drachtio-srf message as a plain object (lower-case names), no srf object leaks. */
export function headersOf(msg: Srf.SipMessage): Record<string, string> {
  const raw = (msg as unknown as { headers?: Record<string, unknown> }).headers ?? {}
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'string') out[name.toLowerCase()] = value
    else if (Array.isArray(value)) out[name.toLowerCase()] = value.join(', ')
  }
  return out
}

export function viewOf(msg: Srf.SipMessage & { method?: string; status?: number; reason?: string }): SipMessageView {
  return { method: msg.method, status: msg.status, reason: msg.reason, headers: headersOf(msg), body: msg.body ?? '' }
}
