/** Counters the engine exposes: what was dropped, and why. Monotonic; never reset while running. */
export interface EngineStats {
  /** malformed datagrams/messages/streams dropped */
  dropped: number
  /** 400 Bad Request answers sent for malformed requests */
  badRequests: number
  /** SIP messages received / sent (all transports) */
  received: number
  sent: number
  /** retransmissions absorbed by a transaction */
  retransmissionsAbsorbed: number
  /** responses that matched no client transaction (dropped, RFC 3261 §18.1.2) */
  strayResponses: number
}

export function createStats(): EngineStats {
  return { dropped: 0, badRequests: 0, received: 0, sent: 0, retransmissionsAbsorbed: 0, strayResponses: 0 }
}
