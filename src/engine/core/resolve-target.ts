import { parseNameAddr, parseUri, type SipUri } from '../message/index.js'
import { defaultPort, uriProtocol } from '../dns/uri-transport.js'
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
