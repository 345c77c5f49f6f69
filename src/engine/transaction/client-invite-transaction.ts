import { serializeMessage, type SipRequest, type SipResponse } from '../message/index.js'
import type { Peer } from '../transport/peer.js'
import { ackForNon2xx } from './ack-for-non-2xx.js'
import type { ClientTransactionUser } from './client-transaction-user.js'
import { Transaction, type TransactionContext } from './transaction.js'

/**
 * INVITE client transaction, RFC 3261 §17.1.1 with RFC 6026's Accepted state.
 *
 * ```
 *  calling ──1xx──► proceeding ──1xx──► proceeding
 *    │ Timer B          │ 300-699 (send ACK)   │ 2xx      (Timer C in proceeding → terminated)
 *    ▼                  ▼                      ▼
 *  terminated       completed ──Timer D──►  accepted ──Timer M──► terminated
 * ```
 * Over UDP the INVITE is retransmitted on Timer A (T1 doubling, no cap) until a response.
 */
export enum IctState {
  Calling = 'calling',
  Proceeding = 'proceeding',
  Completed = 'completed',
  Accepted = 'accepted',
  Terminated = 'terminated',
}

type IctTimer = 'A' | 'B' | 'C' | 'D' | 'M'

/**
 * Timer C (RFC 3261 §16.6 step 11: "greater than 3 minutes"; sofia's default is 185 s):
 * how long a transaction in Proceeding waits for a final response. Timer B only runs in
 * Calling (§17.1.1.2), so a ringing call is not timed out after 64·T1.
 */
export const TIMER_C_MS = 185_000

export class ClientInviteTransaction extends Transaction<IctState, IctTimer> {
  private ack?: Buffer
  /** the bytes of the INVITE as sent */
  sent?: Buffer

  constructor(
    key: string,
    request: SipRequest,
    peer: Peer,
    ctx: TransactionContext,
    private readonly tu: ClientTransactionUser,
  ) {
    super(key, request, peer, ctx, IctState.Calling, IctState.Terminated)
  }

  /**
   * Send the INVITE and arm Timers A and B. Resolves with the bytes sent. `sent` is the
   * request already serialized by the caller (it is not serialized twice).
   */
  async start(sent?: Buffer): Promise<Buffer> {
    const { T1 } = this.ctx.timers
    this.sent = sent ?? serializeMessage(this.request)
    // Timer B: transaction timeout, 64·T1 (§17.1.1.2).
    this.timers.set('B', 64 * T1, () => {
      if (this.transition(IctState.Terminated, [IctState.Calling, IctState.Proceeding])) this.tu.onTimeout()
    })
    if (!(await this.sendFirst(this.sent, IctState.Calling, (err) => this.tu.onTransportError(err)))) return this.sent
    // Timer A: retransmit the INVITE over UDP, starting at T1 and doubling (§17.1.1.2);
    // cleared by the first response.
    if (!this.reliable) this.retransmitOn('A', this.sent, T1, (interval) => interval * 2)
    return this.sent
  }

  onResponse(res: SipResponse, raw: Buffer): void {
    const status = res.status
    switch (this.state) {
      case IctState.Calling:
      case IctState.Proceeding:
        this.timers.clear('A')
        if (status < 200) {
          this.transition(IctState.Proceeding, [IctState.Calling, IctState.Proceeding])
          this.timers.clear('B')
          this.timers.set('C', TIMER_C_MS, () => {
            if (this.transition(IctState.Terminated, [IctState.Proceeding])) this.tu.onTimeout()
          })
          this.tu.onResponse(res, raw, false)
        } else if (status < 300) {
          this.transition(IctState.Accepted, [IctState.Calling, IctState.Proceeding])
          this.timers.clear('B')
          this.timers.clear('C')
          // Timer M (RFC 6026 §8.4): keep passing 2xx retransmissions up, 64·T1.
          this.timers.set('M', 64 * this.ctx.timers.T1, () => this.transition(IctState.Terminated, [IctState.Accepted]))
          this.tu.onResponse(res, raw, false)
          this.release()
        } else {
          this.transition(IctState.Completed, [IctState.Calling, IctState.Proceeding])
          this.timers.clear('B')
          this.timers.clear('C')
          this.ack = serializeMessage(ackForNon2xx(this.request, res))
          this.ctx.transport.sendQuietly(this.ack, this.peer)
          // Timer D: absorb final response retransmissions, ≥32 s over UDP, 0 over TCP.
          if (this.reliable) this.transition(IctState.Terminated, [IctState.Completed])
          else this.timers.set('D', 32_000, () => this.transition(IctState.Terminated, [IctState.Completed]))
          this.tu.onResponse(res, raw, false)
          this.release()
        }
        break
      case IctState.Completed:
        if (status >= 300 && this.ack) this.ctx.transport.sendQuietly(this.ack, this.peer)
        break
      case IctState.Accepted:
        if (status >= 200 && status < 300) this.tu.onResponse(res, raw, true)
        break
      default:
        break
    }
  }

  /** Completed keeps only the ACK (to answer retransmitted finals); Accepted keeps nothing. */
  protected override release(): void {
    super.release()
    this.sent = undefined
  }

  get provisionalReceived(): boolean {
    return this.state !== IctState.Calling
  }

  /** Waiting for a final response. */
  get pending(): boolean {
    return this.state === IctState.Calling || this.state === IctState.Proceeding
  }

  get active(): boolean {
    return this.pending
  }

  destroy(): void {
    this.transition(IctState.Terminated, [IctState.Calling, IctState.Proceeding, IctState.Completed, IctState.Accepted])
  }
}

