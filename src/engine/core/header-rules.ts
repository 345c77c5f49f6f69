import type { SipHeader, SipMessage } from '../message/index.js'

/**
 * How drachtio-server treats headers an app sends (drachtio-protocol.md §A.4, `makeTags`):
 * Via, Route, Record-Route, RSeq and Content-Length are the stack's and are dropped;
 * `@localhost` in From/To/Contact/P-Asserted-Identity becomes our host:port; an SDP body
 * without Content-Type gets `application/sdp`.
 */
const IMMUTABLE = new Set(['via', 'route', 'record-route', 'rseq', 'content-length'])
const LOCALHOST_HEADERS = new Set(['from', 'to', 'contact', 'p-asserted-identity'])

/** The app's headers minus the immutable ones and those the engine builds itself (`reserved`). */
export function appHeaders(msg: SipMessage, reserved: readonly string[], hostport: string): SipHeader[] {
  const out: SipHeader[] = []
  for (const h of msg.headers) {
    if (IMMUTABLE.has(h.name) || reserved.includes(h.name)) continue
    out.push({ name: h.name, value: replaceLocalhost(h.name, h.value, hostport) })
  }
  return out
}

export function replaceLocalhost(name: string, value: string, hostport: string): string {
  if (!LOCALHOST_HEADERS.has(name) || !value.includes('@localhost')) return value
  return value.replace(/@localhost(?::\d+)?/g, `@${hostport}`)
}

/** Content-Type for a body the app sent without one (§A.4); undefined = missing and not SDP. */
export function defaultContentType(msg: SipMessage): string | undefined {
  if (msg.body.length === 0) return undefined
  if (msg.headers.some((h) => h.name === 'content-type')) return undefined
  return msg.body.subarray(0, 3).toString('latin1') === 'v=0' ? 'application/sdp' : undefined
}

export function hasHeader(msg: SipMessage, name: string): boolean {
  return msg.headers.some((h) => h.name === name)
}
