import { serializeMessage, type SipRequest, type SipResponse } from '../message/index.js'
import { resolveTarget } from '../core/resolve-target.js'
import type { LocalAddress } from '../core/local-address.js'
import type { ClientTransactionUser } from '../transaction/client-transaction-user.js'
import { newBranch } from '../transaction/transaction-keys.js'
import type { ClientTransaction, TransactionLayer } from '../transaction/transaction-layer.js'
import { TimerTable } from '../transaction/timer-table.js'
import type { Peer } from '../transport/peer.js'
import { branchCancel, forwardedRequest } from './forwarded-request.js'
import type { ProxyCommand } from './proxy-command.js'

/**
 * One target of a proxied request (RFC 3261 §16.6–§16.8): a client transaction of its own
 * towards one destination, and what became of it.
 *
 * ```
 *  waiting ──start──► calling ──1xx──► proceeding ──3xx–6xx──► completed
 *     │                  │ cancel          │ cancel
 *     │                  ▼                 ▼
 *     │           cancel-pending ──1xx──► canceling ──final──► completed
 *     │                                                   2xx (from any live state) ──► answered
 *     └──drop──► abandoned ◄── timeout (B, C, F, provisionalTimeout), transport error, cancel-pending's final
 * ```
 * `calling` and `proceeding` are "running": the search still waits for them. A CANCEL
 * can only go once a provisional response came (RFC 3261 §9.1), so a branch cancelled
 * while calling waits in `cancel-pending` and sends it on the first 1xx.
 */
export enum BranchState {
  Waiting = 'waiting',
  Calling = 'calling',
  Proceeding = 'proceeding',
  CancelPending = 'cancel-pending',
  Canceling = 'canceling',
  Completed = 'completed',
  Answered = 'answered',
  Abandoned = 'abandoned',
}

/** What a branch tells the proxy core. */
export interface BranchOwner {
  onProvisional(branch: ProxyBranch, res: SipResponse, raw: Buffer): void
  /** a 3xx–6xx final response (the branch is now completed) */
  onFinal(branch: ProxyBranch, res: SipResponse, raw: Buffer): void
  /** a 2xx; `retransmission` for the same 2xx again (RFC 6026 Accepted state) */
  onAnswer(branch: ProxyBranch, res: SipResponse, raw: Buffer, retransmission: boolean): void
  /** the branch ended without a final response of its own */
  onAbandoned(branch: ProxyBranch): void
}

export interface BranchDeps {
  txns: TransactionLayer
  local: LocalAddress
  command: ProxyCommand
}

const TERMINAL = new Set([BranchState.Completed, BranchState.Answered, BranchState.Abandoned])

export class ProxyBranch {
  private stateValue = BranchState.Waiting
  private readonly timers = new TimerTable<'Provisional'>()
  private txn?: ClientTransaction
  /** the request as forwarded (kept until the branch ends: the CANCEL is built from it) */
  private forwarded?: SipRequest
  /** where it went */
  peer?: Peer
  /** the final 3xx–6xx response, for §16.7 step 6 */
  final?: { res: SipResponse; raw: Buffer }

  constructor(
    readonly target: string,
    private readonly deps: BranchDeps,
    private readonly owner: BranchOwner,
  ) {}

  get state(): BranchState {
    return this.stateValue
  }

  /** still waited for by the search (§16.7 step 4: no final response yet, not given up) */
  get running(): boolean {
    return this.stateValue === BranchState.Calling || this.stateValue === BranchState.Proceeding
  }

  /** nothing more will happen on it (its transaction may still absorb retransmissions) */
  get ended(): boolean {
    return TERMINAL.has(this.stateValue)
  }

  private transition(to: BranchState, from: readonly BranchState[]): boolean {
    if (!from.includes(this.stateValue)) return false
    this.stateValue = to
    if (TERMINAL.has(to)) {
      this.timers.clearAll()
      this.forwarded = undefined
    }
    return true
  }

  /**
   * Send the request (RFC 3261 §16.6); returns the bytes sent. Undefined when the
   * destination is no usable SIP URI, or is ourselves: the branch is then abandoned at once.
   */
  start(received: SipRequest): Buffer | undefined {
    if (this.stateValue !== BranchState.Waiting) return undefined
    let peer: Peer
    try {
      peer = resolveTarget(this.target)
    } catch {
      this.transition(BranchState.Abandoned, [BranchState.Waiting])
      return undefined
    }
    const { local, command, txns } = this.deps
    if (local.isSelf(peer.address, peer.port)) {
      this.transition(BranchState.Abandoned, [BranchState.Waiting])
      return undefined
    }
    this.peer = peer
    const req = forwardedRequest(received, {
      local, target: this.target, protocol: peer.protocol, branch: newBranch(), recordRoute: command.recordRoute, headers: command.headers,
    })
    this.forwarded = req
    const tu: ClientTransactionUser = {
      onResponse: (res, raw, retransmission) => this.onResponse(res, raw, retransmission),
      onTimeout: () => this.onTimeout(),
      onTransportError: () => this.abandon(),
    }
    this.transition(BranchState.Calling, [BranchState.Waiting])
    // `provisionalTimeout`: no response at all in time → give up on this target
    if (command.provisionalTimeoutMs > 0) this.timers.set('Provisional', command.provisionalTimeoutMs, () => this.giveUp())
    this.txn = txns.createClient(req, peer, tu)
    const buf = serializeMessage(req)
    void this.txn.start(buf)
    return buf
  }

  /** The search is over for this branch (another answered, the caller cancelled): CANCEL it (§16.7 step 10). */
  cancel(): void {
    switch (this.stateValue) {
      case BranchState.Waiting:
        this.transition(BranchState.Abandoned, [BranchState.Waiting])
        return
      case BranchState.Calling:
        if (this.forwarded?.method !== 'INVITE') return void this.transition(BranchState.Abandoned, [BranchState.Calling])
        this.transition(BranchState.CancelPending, [BranchState.Calling])
        return
      case BranchState.Proceeding:
        if (this.forwarded?.method !== 'INVITE') return void this.transition(BranchState.Abandoned, [BranchState.Proceeding])
        this.sendCancel()
        this.transition(BranchState.Canceling, [BranchState.Proceeding])
        return
      default:
    }
  }

  /**
   * `provisionalTimeout` fired with no response at all: the search moves on. As
   * drachtio-server does (`timerProvisional`: its client transaction goes to completed,
   * timers A/B/C gone), the INVITE is no longer retransmitted; a late response then finds
   * no transaction and is forwarded statelessly like drachtio's.
   */
  private giveUp(): void {
    if (this.stateValue !== BranchState.Calling) return
    this.txn?.destroy()
    this.abandon()
  }

  private sendCancel(): void {
    if (!this.forwarded || !this.peer) return
    const cancel = branchCancel(this.forwarded)
    const ignore: ClientTransactionUser = { onResponse() {}, onTimeout() {}, onTransportError() {} }
    void this.deps.txns.createClient(cancel, this.peer, ignore).start()
  }

  private onResponse(res: SipResponse, raw: Buffer, retransmission: boolean): void {
    const status = res.status
    this.timers.clear('Provisional')
    if (status >= 200 && status < 300) {
      if (!retransmission) {
        this.transition(BranchState.Answered, [BranchState.Calling, BranchState.Proceeding, BranchState.CancelPending, BranchState.Canceling, BranchState.Abandoned])
      }
      this.owner.onAnswer(this, res, raw, retransmission)
      return
    }
    if (status < 200) {
      if (this.stateValue === BranchState.CancelPending) {
        this.sendCancel()
        this.transition(BranchState.Canceling, [BranchState.CancelPending])
        return
      }
      if (this.transition(BranchState.Proceeding, [BranchState.Calling, BranchState.Proceeding])) this.owner.onProvisional(this, res, raw)
      return
    }
    if (this.stateValue === BranchState.CancelPending) {
      this.transition(BranchState.Abandoned, [BranchState.CancelPending])
      this.owner.onAbandoned(this)
      return
    }
    if (this.transition(BranchState.Completed, [BranchState.Calling, BranchState.Proceeding, BranchState.Canceling])) {
      this.final = { res, raw }
      this.owner.onFinal(this, res, raw)
    }
  }

  /** Timer B, C or F (RFC 3261 §16.8): no final response. After a provisional, Timer C also CANCELs. */
  private onTimeout(): void {
    if (this.stateValue === BranchState.Proceeding) this.sendCancel()
    this.abandon()
  }

  private abandon(): void {
    const live = [BranchState.Calling, BranchState.Proceeding, BranchState.CancelPending, BranchState.Canceling]
    if (this.transition(BranchState.Abandoned, live)) this.owner.onAbandoned(this)
  }

  /** Engine shutdown. */
  destroy(): void {
    this.timers.clearAll()
    this.txn?.destroy()
  }
}
