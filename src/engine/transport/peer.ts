import type { Socket } from 'node:net'

export type Protocol = 'udp' | 'tcp'

/** Where a message came from, or goes to. */
export interface Peer {
  protocol: Protocol
  address: string
  port: number
  /** for TCP: the connection the message arrived on (responses go back on it, RFC 3261 §18.2.2) */
  connection?: Socket
}

export function peerKey(p: { address: string; port: number }): string {
  return `${p.address}:${p.port}`
}
