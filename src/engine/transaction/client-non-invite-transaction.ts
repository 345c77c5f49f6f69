import { serializeMessage, type SipRequest, type SipResponse } from '../message/index.js'
import type { Peer } from '../transport/peer.js'
import type { ClientTransactionUser } from './client-transaction-user.js'
import { backoff, Transaction, type TransactionContext } from './transaction.js'

/**
 * Non-INVITE client transaction, RFC 3261 §17.1.2.
 *
 * ```
 *  trying ──1xx──► proceeding
 *    │ final          │ final
 *    ▼                ▼
 *       completed ──Timer K──► terminated      (Timer F in trying/proceeding → 408)
 * ```
 */
export enum NictState {
  Trying = 'trying',
  Proceeding = 'proceeding',
  Completed = 'completed',
  Terminated = 'terminated',
}

type NictTimer = 'E' | 'F' | 'K'

export class ClientNonInviteTransaction extends Transaction<NictState, NictTimer> {
  sent?: Buffer

  constructor(
    key: string,
    request: SipRequest,
    peer: Peer,
    ctx: TransactionContext,
    private readonly tu: ClientTransactionUser,
  ) {
    super(key, request, peer, ctx, NictState.Trying, NictState.Terminated)
  }

  /** Send the request and arm Timers E and F; `sent` is the request already serialized by the caller. */
  async start(sent?: Buffer): Promise<Buffer> {
    const { T1, T2 } = this.ctx.timers
    this.sent = sent ?? serializeMessage(this.request)
    // Timer F: transaction timeout, 64·T1 (§17.1.2.2).
    this.timers.set('F', 64 * T1, () => {
      if (this.transition(NictState.Terminated, [NictState.Trying, NictState.Proceeding])) this.tu.onTimeout()
    })
    if (!(await this.sendFirst(this.sent, NictState.Trying, (err) => this.tu.onTransportError(err)))) return this.sent
    // Timer E: retransmit over UDP, T1 doubling to T2 (T2 steady once a provisional arrived).
    if (!this.reliable) {
      this.retransmitOn('E', this.sent, T1, (interval) => (this.state === NictState.Proceeding ? T2 : backoff(interval, T2)))
    }
    return this.sent
  }

  onResponse(res: SipResponse, raw: Buffer): void {
    if (this.state !== NictState.Trying && this.state !== NictState.Proceeding) return
    if (res.status < 200) {
      this.transition(NictState.Proceeding, [NictState.Trying, NictState.Proceeding])
      this.tu.onResponse(res, raw, false)
      return
    }
    this.transition(NictState.Completed, [NictState.Trying, NictState.Proceeding])
    this.timers.clear('E')
    this.timers.clear('F')
    // Timer K: absorb response retransmissions, T4 over UDP, 0 over TCP.
    if (this.reliable) this.transition(NictState.Terminated, [NictState.Completed])
    else this.timers.set('K', this.ctx.timers.T4, () => this.transition(NictState.Terminated, [NictState.Completed]))
    this.tu.onResponse(res, raw, false)
    this.release()
  }

  /** Completed (Timer K) absorbs response retransmissions without needing the request. */
  protected override release(): void {
    super.release()
    this.sent = undefined
  }

  get active(): boolean {
    return this.state === NictState.Trying || this.state === NictState.Proceeding
  }

  destroy(): void {
    this.transition(NictState.Terminated, [NictState.Trying, NictState.Proceeding, NictState.Completed])
  }
}
