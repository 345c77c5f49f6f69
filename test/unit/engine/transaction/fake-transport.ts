import { vi } from 'vitest'
import { parseMessage, serializeMessage, type SipMessage, type SipRequest, type SipResponse } from '../../../../src/engine/message/index.js'
import type { ClientTransactionUser } from '../../../../src/engine/transaction/client-transaction-user.js'
import { DEFAULT_TIMERS } from '../../../../src/engine/transaction/timer-values.js'
import type { TransactionContext } from '../../../../src/engine/transaction/transaction.js'
import type { Peer } from '../../../../src/engine/transport/peer.js'
import type { TransportLayer } from '../../../../src/engine/transport/transport-layer.js'

/** One message handed to the fake transport, stamped with the (fake) clock. */
export interface Sent {
  at: number
  buf: Buffer
  msg: SipMessage
  peer: Peer
}

/**
 * A stand-in for the TransportLayer that records what a transaction sends and when.
 * `failSends` makes `send()` reject the way a refused TCP connect does.
 */
export class FakeTransport {
  readonly sent: Sent[] = []
  failSends = false
  private readonly t0 = Date.now()

  async send(msg: SipMessage | Buffer, dest: Peer): Promise<Buffer> {
    if (this.failSends) throw new Error('connect ECONNREFUSED')
    return this.record(msg, dest)
  }

  sendQuietly(msg: SipMessage | Buffer, dest: Peer): void {
    if (!this.failSends) this.record(msg, dest)
  }

  /** Times (ms since the fake transport was made) at which messages were sent. */
  times(filter: (s: Sent) => boolean = () => true): number[] {
    return this.sent.filter(filter).map((s) => s.at)
  }

  private record(msg: SipMessage | Buffer, dest: Peer): Buffer {
    const buf = Buffer.isBuffer(msg) ? msg : serializeMessage(msg)
    this.sent.push({ at: Date.now() - this.t0, buf, msg: parseMessage(buf), peer: dest })
    return buf
  }
}

export function context(transport: FakeTransport): TransactionContext {
  return { transport: transport as unknown as TransportLayer, timers: { ...DEFAULT_TIMERS } }
}

export const UDP_PEER: Peer = { protocol: 'udp', address: '127.0.0.1', port: 5070 }
export const TCP_PEER: Peer = { protocol: 'tcp', address: '127.0.0.1', port: 5070 }

/** A TU that records what the client transaction reports. */
export function recordingTu() {
  return {
    onResponse: vi.fn<ClientTransactionUser['onResponse']>(),
    onTimeout: vi.fn<ClientTransactionUser['onTimeout']>(),
    onTransportError: vi.fn<ClientTransactionUser['onTransportError']>(),
  }
}

export function request(method: string, opts: { transport?: 'UDP' | 'TCP'; routes?: string[]; seq?: number } = {}): SipRequest {
  const lines = [
    `${method} sip:bob@127.0.0.1:5070 SIP/2.0`,
    `Via: SIP/2.0/${opts.transport ?? 'UDP'} 127.0.0.1:5060;branch=z9hG4bK-${method.toLowerCase()}-1;rport`,
    'Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK-lower-hop',
    'Max-Forwards: 70',
    'From: "Alice" <sip:alice@127.0.0.1>;tag=from-1',
    'To: <sip:bob@127.0.0.1>',
    'Call-ID: call-1@127.0.0.1',
    `CSeq: ${opts.seq ?? 7} ${method}`,
    ...(opts.routes ?? []).map((r) => `Route: ${r}`),
    'Contact: <sip:alice@127.0.0.1:5060>',
    'Content-Length: 0',
    '',
    '',
  ]
  return parseMessage(Buffer.from(lines.join('\r\n'))) as SipRequest
}

/** A response to `req` as the far end would send it: its Vias, From, To with a tag, Call-ID, CSeq. */
export function responseTo(req: SipRequest, status: number, reason = 'Whatever', toTag = 'to-9'): { res: SipResponse; raw: Buffer } {
  const res: SipResponse = {
    kind: 'response',
    status,
    reason,
    headers: req.headers
      .filter((h) => ['via', 'from', 'to', 'call-id', 'cseq'].includes(h.name))
      .map((h) => (h.name === 'to' && status > 100 ? { name: 'to', value: `${h.value};tag=${toTag}` } : { ...h })),
    body: Buffer.alloc(0),
  }
  const raw = serializeMessage(res)
  return { res: parseMessage(raw) as SipResponse, raw }
}
