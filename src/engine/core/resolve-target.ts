import { parseNameAddr, parseUri } from '../message/index.js'
import type { Peer, Protocol } from '../transport/peer.js'

/**
 * Where a request goes (RFC 3263 simplified to literal hosts): the host, port and
 * `transport` parameter of a SIP URI (a Route value's URI when a route set exists).
 */
export function resolveTarget(uriOrRoute: string, fallback: Protocol = 'udp'): Peer {
  const uri = uriOrRoute.trim().startsWith('<') || uriOrRoute.includes('<') ? parseNameAddr(uriOrRoute).uri : uriOrRoute
  const u = parseUri(uri)
  const t = u.params.get('transport')
  const protocol: Protocol = t ? (t.toLowerCase() === 'tcp' ? 'tcp' : 'udp') : fallback
  const address = u.host.replace(/^\[|\]$/g, '')
  return { protocol, address: address === 'localhost' ? '127.0.0.1' : address, port: u.port ?? 5060 }
}
