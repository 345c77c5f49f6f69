import type { SipResponse } from '../message/index.js'

/** What a client transaction reports to the layer above it (its "transaction user", RFC 3261 §17.1). */
export interface ClientTransactionUser {
  /** a response; `retransmission` is true for a 2xx seen again in the Accepted state (RFC 6026) */
  onResponse(res: SipResponse, raw: Buffer, retransmission: boolean): void
  /** Timer B / Timer F fired: the TU acts as if a 408 arrived (§17.1.1.2, §17.1.2.2) */
  onTimeout(): void
  /** the request could not be sent (§8.1.3.1: treat as 503) */
  onTransportError(err: Error): void
}
