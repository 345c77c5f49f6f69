import type { SipRequest, SipResponse } from '../message/index.js'
import type { Peer } from '../transport/peer.js'
import { Transaction, type TransactionContext } from './transaction.js'

/**
 * Non-INVITE server transaction, RFC 3261 §17.2.2.
 *
 * ```
 *  trying ──1xx──► proceeding ──1xx──► proceeding
 *     │ final          │ final
 *     ▼                ▼
 *          completed ──Timer J──► terminated
 * ```
 */
export enum NistState {
  Trying = 'trying',
  Proceeding = 'proceeding',
  Completed = 'completed',
  Terminated = 'terminated',
}

type NistTimer = 'J'

export class ServerNonInviteTransaction extends Transaction<NistState, NistTimer> {
  lastResponse?: Buffer
  finalStatus?: number

  constructor(key: string, request: SipRequest, peer: Peer, ctx: TransactionContext, readonly id: string) {
    super(key, request, peer, ctx, NistState.Trying, NistState.Terminated)
  }

  async respond(res: SipResponse | Buffer, status: number): Promise<Buffer> {
    if (this.state === NistState.Completed || this.state === NistState.Terminated) {
      throw new Error(`response ${status} after final response`)
    }
    if (status >= 200) {
      this.finalStatus = status
      this.transition(NistState.Completed, [NistState.Trying, NistState.Proceeding])
      this.release() // Timer J only needs the response bytes
    } else {
      this.transition(NistState.Proceeding, [NistState.Trying, NistState.Proceeding])
    }
    try {
      const buf = await this.ctx.transport.send(res, this.peer)
      this.lastResponse = buf
      return buf
    } finally {
      // even when the send failed (TCP peer gone), so the transaction cannot linger forever
      if (status >= 200 && !this.terminated) {
        // Timer J: absorb request retransmissions, 64·T1 over UDP, 0 over TCP (§17.2.2).
        if (this.reliable) this.transition(NistState.Terminated, [NistState.Completed])
        else this.timers.set('J', 64 * this.ctx.timers.T1, () => this.transition(NistState.Terminated, [NistState.Completed]))
      }
    }
  }

  /** A retransmitted request: resend the latest response (§17.2.2). */
  onRetransmission(): void {
    if (this.lastResponse) this.ctx.transport.sendQuietly(this.lastResponse, this.peer)
  }

  get active(): boolean {
    return this.state === NistState.Trying || this.state === NistState.Proceeding
  }

  destroy(): void {
    this.transition(NistState.Terminated, [NistState.Trying, NistState.Proceeding, NistState.Completed])
  }
}
