import type { SipUri } from '../message/index.js'
import type { Protocol } from '../transport/peer.js'

/**
 * The transport a URI asks for, or undefined when it leaves the choice open: a `sips:`
 * URI is TLS whatever its `transport` (RFC 5630 §3.2, RFC 3261 §26.2.2); otherwise the
 * `transport` parameter (`tls` included, the form drachtio-server and RFC 3261 use).
 */
export function uriProtocol(u: SipUri): Protocol | undefined {
  if (u.scheme === 'sips') return 'tls'
  const t = u.params.get('transport')?.toLowerCase()
  if (t === 'tcp' || t === 'tls' || t === 'udp') return t
  return t ? 'udp' : undefined
}

/** RFC 3261 §19.1.2: 5061 for SIP over TLS, 5060 otherwise. */
export function defaultPort(protocol: Protocol): number {
  return protocol === 'tls' ? 5061 : 5060
}

/** A host RFC 3263 has nothing to resolve for: an IP literal, or `localhost`. */
export function isLiteralHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '')
  return h === 'localhost' || /^[\d.]+$/.test(h) || h.includes(':')
}
