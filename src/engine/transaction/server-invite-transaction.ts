import type { SipRequest, SipResponse } from '../message/index.js'
import type { Peer } from '../transport/peer.js'
import { backoff, Transaction, type TransactionContext } from './transaction.js'

/**
 * INVITE server transaction, RFC 3261 §17.2.1 with RFC 6026's Accepted state.
 *
 * ```
 *  proceeding ──1xx──► proceeding
 *      │ 300-699                 │ 2xx
 *      ▼                         ▼
 *  completed ──ACK──► confirmed  accepted ──ACK (via dialog) / Timer L──► terminated
 *      │ Timer H          │ Timer I
 *      ▼                  ▼
 *  terminated        terminated
 * ```
 * Unlike sofia's IST, the 2xx is retransmitted here until the ACK arrives (drachtio
 * does this itself, drachtio-protocol.md §A.6): Timer G doubling to T2, Timer L = 64·T1.
 */
export enum IstState {
  Proceeding = 'proceeding',
  Completed = 'completed',
  Confirmed = 'confirmed',
  Accepted = 'accepted',
  Terminated = 'terminated',
}

type IstTimer = 'G' | 'H' | 'I' | 'L'

export interface IstEvents {
  /** no ACK for our 2xx within 64·T1 (RFC 3261 §13.3.1.4: the UAS should send BYE) */
  onAckTimeout?: () => void
}

export class ServerInviteTransaction extends Transaction<IstState, IstTimer> {
  lastResponse?: Buffer
  finalStatus?: number
  events: IstEvents = {}

  constructor(key: string, request: SipRequest, peer: Peer, ctx: TransactionContext, readonly id: string) {
    super(key, request, peer, ctx, IstState.Proceeding, IstState.Terminated)
  }

  /** Send a response in this transaction; returns the bytes sent. */
  async respond(res: SipResponse | Buffer, status: number): Promise<Buffer> {
    if (this.state !== IstState.Proceeding) throw new Error(`response ${status} after final response`)
    if (status >= 200) {
      this.finalStatus = status
      if (status < 300) this.accept()
      else this.complete()
      this.release() // Timers G/H/L/I only need the response bytes
    }
    try {
      const buf = await this.ctx.transport.send(res, this.peer)
      this.lastResponse = buf
      return buf
    } finally {
      // even when the send failed (TCP peer gone): Timer H/L must still end the transaction
      if (status >= 200) this.startFinalTimers()
    }
  }

  private accept(): void {
    this.transition(IstState.Accepted, [IstState.Proceeding])
  }

  private complete(): void {
    this.transition(IstState.Completed, [IstState.Proceeding])
  }

  private startFinalTimers(): void {
    if (this.terminated) return // destroyed while the response was being sent
    const { T1, T2 } = this.ctx.timers
    let interval = T1
    const retransmit = () => {
      if (this.lastResponse) this.ctx.transport.sendQuietly(this.lastResponse, this.peer)
      interval = backoff(interval, T2)
      this.timers.set('G', interval, retransmit)
    }
    // Timer G: retransmit the final response over unreliable transports (§17.2.1).
    if (!this.reliable) this.timers.set('G', interval, retransmit)
    if (this.state === IstState.Completed) {
      // Timer H: give up waiting for the ACK of a non-2xx final response, 64·T1.
      this.timers.set('H', 64 * T1, () => this.transition(IstState.Terminated, [IstState.Completed]))
    } else {
      // Timer L (RFC 6026 §7.1): how long the accepted state absorbs retransmissions, 64·T1.
      this.timers.set('L', 64 * T1, () => {
        if (this.transition(IstState.Terminated, [IstState.Accepted])) this.events.onAckTimeout?.()
      })
    }
  }

  /** A retransmitted INVITE: resend the latest response (§17.2.1), if any. */
  onRetransmission(): void {
    if (this.lastResponse && this.state !== IstState.Accepted) this.ctx.transport.sendQuietly(this.lastResponse, this.peer)
  }

  /** ACK for a non-2xx final response (same transaction, §17.2.1). */
  onAck(): void {
    if (this.transition(IstState.Confirmed, [IstState.Completed])) {
      this.timers.clear('G')
      this.timers.clear('H')
      // Timer I: absorb further ACK retransmissions, T4 over UDP, 0 over TCP.
      if (this.reliable) this.transition(IstState.Terminated, [IstState.Confirmed])
      else this.timers.set('I', this.ctx.timers.T4, () => this.transition(IstState.Terminated, [IstState.Confirmed]))
      this.lastResponse = undefined // Confirmed absorbs ACKs silently
    }
  }

  /** The ACK for our 2xx arrived (matched by the dialog layer, RFC 3261 §13.3.1.4). */
  onAckFor2xx(): void {
    this.transition(IstState.Terminated, [IstState.Accepted])
  }

  /**
   * The dialog ended (BYE either way) before the ACK for our 2xx arrived: stop
   * retransmitting it; a late ACK is then a stray and is dropped.
   */
  abandonAck(): void {
    this.transition(IstState.Terminated, [IstState.Accepted])
  }

  /** Still holding state a new request or the app can act on (not just absorbing retransmissions). */
  get active(): boolean {
    return this.state === IstState.Proceeding || this.state === IstState.Accepted
  }

  destroy(): void {
    this.transition(IstState.Terminated, [IstState.Proceeding, IstState.Completed, IstState.Confirmed, IstState.Accepted])
  }
}
