import type { Socket } from 'node:net'

/** `tls` is SIP over TLS (RFC 3261 §26.2), a stream transport like `tcp` */
export type Protocol = 'udp' | 'tcp' | 'tls'

/** Where a message came from, or goes to. */
export interface Peer {
  protocol: Protocol
  address: string
  port: number
  /** for TCP/TLS: the connection the message arrived on (responses go back on it, RFC 3261 §18.2.2) */
  connection?: Socket
  /** for TLS: the name the peer's certificate must carry (RFC 5922 §4), when it is not `address` */
  serverName?: string
}

export function peerKey(p: { address: string; port: number }): string {
  return `${p.address}:${p.port}`
}
