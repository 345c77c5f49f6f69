import { parseNameAddr, parseUri, type SipUri } from '../message/index.js'
import type { Peer, Protocol } from '../transport/peer.js'

/**
 * Where a request goes when its host is a literal address (or `localhost`): the host,
 * port and transport of a SIP URI (a Route value's URI when a route set exists).
 * A name goes through RFC 3263 resolution instead (see ../dns/resolve-sip-target.ts).
 */
export function resolveTarget(uriOrRoute: string, fallback: Protocol = 'udp'): Peer {
  const u = targetUri(uriOrRoute)
  const protocol = uriProtocol(u) ?? fallback
  const address = u.host.replace(/^\[|\]$/g, '')
  return { protocol, address: address === 'localhost' ? '127.0.0.1' : address, port: u.port ?? defaultPort(protocol) }
}

/** The URI of a Request-URI or of a Route / name-addr value. */
export function targetUri(uriOrRoute: string): SipUri {
  const uri = uriOrRoute.includes('<') ? parseNameAddr(uriOrRoute).uri : uriOrRoute
  return parseUri(uri)
}

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
