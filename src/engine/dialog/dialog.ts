import type { Peer } from '../transport/peer.js'
import type { AppSession } from '../wire/app-session.js'
import { TimerTable } from '../transaction/timer-table.js'
import { SubscriptionSet } from './subscription-set.js'

/**
 * A SIP dialog (RFC 3261 §12) as the engine keeps it for one app connection.
 *
 * ```
 *            reliable 1xx sent (RFC 3262 §3)
 *   early ─────────────────────────────► early-awaiting-prack
 *     │   ◄──────── PRACK received ─────────┘   │
 *     │ 2xx received (uac)                      │ 2xx sent (uas; a 2xx behind an SDP 1xx
 *     ▼                                         ▼  waits for the PRACK first, §3)
 *   confirmed ◄──ACK / Timer L──── confirmed-awaiting-ack ◄── 2xx sent (uas, from early)
 *     │  └──────── 2xx to a re-INVITE sent ──────►┘
 *     │ BYE sent (app; confirmed only)
 *     ▼
 *   terminating ── 401/407 to our BYE: stays for the app's BYE with credentials (Timer ByeRetry)
 *     ▼ (from every state) BYE sent/received, final response to our BYE, non-2xx final, PRACK timeout, app gone
 *   terminated ◄── last subscription over ── subscribed ◄── 2xx to SUBSCRIBE / REFER outside a dialog
 * ```
 * Early dialogs exist for a UAS from its first 1xx with a To tag, for a UAC from the first
 * reliable 1xx (drachtio-server adds a UAC dialog on a 200 or on a 1xx carrying RSeq,
 * sip-dialog-controller.cpp `processResponseOutsideDialog`).
 * A dialog whose BYE we sent lasts until the BYE's final response, as drachtio-server
 * keeps it (sip-dialog-controller.cpp `processResponseInsideDialog` clears it then, but
 * not on a 401/407, so that srf's DigestClient can send the BYE again in the dialog).
 * Every dialog carries its subscriptions (`subscriptions`, each a state machine of its own,
 * subscription.ts): a REFER's in an INVITE dialog, or those of a `subscribed` dialog.
 */
export enum DialogState {
  Early = 'early',
  /** a reliable 1xx of ours is not PRACKed yet; Timers Rel1xx and PrackWait run */
  EarlyAwaitingPrack = 'early-awaiting-prack',
  /** our 2xx to an INVITE waits for its ACK (RFC 3261 §13.3.1.4); re-INVITEs get 491 */
  ConfirmedAwaitingAck = 'confirmed-awaiting-ack',
  Confirmed = 'confirmed',
  /** our BYE is out, its final response not in yet (RFC 3261 §15.1.1) */
  Terminating = 'terminating',
  /**
   * created by a 2xx to a SUBSCRIBE (RFC 6665 §4.1.2.1, §4.2.1.1) or to a REFER outside a
   * dialog (RFC 3515 §2.4.4): no INVITE usage; it lives while it carries a subscription
   */
  Subscribed = 'subscribed',
  Terminated = 'terminated',
}

/**
 * Timers of the dialog, each owned by one state and cleared when it is left:
 * - `Rel1xx` (early-awaiting-prack): RFC 3262 §3, "the reliable provisional response is
 *   passed to the transaction layer periodically with an interval that starts at T1
 *   seconds and doubles for each retransmission".
 * - `ByeRetry` (terminating): how long a dialog whose BYE was challenged (401/407) waits
 *   for the app to send it again with credentials, 64·T1 (a transaction's lifetime,
 *   RFC 3261 §17.1.2.2); then it is removed.
 * - `PrackWait` (early-awaiting-prack): RFC 3262 §3, "if a reliable provisional response
 *   is retransmitted for 64*T1 seconds without reception of a corresponding PRACK, the UAS
 *   SHOULD reject the original request with a 5xx response".
 */
export type DialogTimer = 'Rel1xx' | 'PrackWait' | 'ByeRetry'

const ALLOWED: Record<DialogState, readonly DialogState[]> = {
  [DialogState.Early]: [DialogState.EarlyAwaitingPrack, DialogState.ConfirmedAwaitingAck, DialogState.Confirmed, DialogState.Terminated],
  [DialogState.EarlyAwaitingPrack]: [DialogState.Early, DialogState.ConfirmedAwaitingAck, DialogState.Terminated],
  [DialogState.ConfirmedAwaitingAck]: [DialogState.Confirmed, DialogState.Terminated],
  [DialogState.Confirmed]: [DialogState.ConfirmedAwaitingAck, DialogState.Terminating, DialogState.Terminated],
  [DialogState.Terminating]: [DialogState.Terminated],
  [DialogState.Subscribed]: [DialogState.Terminated],
  [DialogState.Terminated]: [],
}

/** The reliable 1xx waiting for its PRACK (data of `early-awaiting-prack`). */
export interface PendingReliable {
  rseq: number
  /** CSeq number of the INVITE it answers (the RAck must name it, RFC 3262 §7.2) */
  inviteSeq: number
  /** it carried a session description: a 2xx must wait for its PRACK (RFC 3262 §3) */
  precious: boolean
}

export interface DialogInit {
  role: 'uac' | 'uas'
  callId: string
  localTag: string
  remoteTag: string
  /** From (uac) or To (uas) header value of ours, with our tag */
  local: string
  /** the other party's header value, with its tag */
  remote: string
  localSeq: number
  remoteSeq?: number
  remoteTarget: string
  routeSet: string[]
  /** how the dialog-creating request came or went; reused for in-dialog requests over TCP */
  peer: Peer
  owner: AppSession
  /** CSeq number of the INVITE that created the dialog (for the ACK) */
  inviteSeq: number
  /** default confirmed; early for a dialog created by a 1xx */
  state?: DialogState
}

export class Dialog {
  private stateValue = DialogState.Confirmed
  readonly timers = new TimerTable<DialogTimer>()
  readonly role!: 'uac' | 'uas'
  readonly callId!: string
  readonly localTag!: string
  readonly remoteTag!: string
  local!: string
  readonly remote!: string
  localSeq!: number
  remoteSeq?: number
  remoteTarget!: string
  routeSet!: string[]
  peer!: Peer
  owner!: AppSession
  /** CSeq of the last INVITE we sent (uac side of the latest INVITE transaction) */
  inviteSeq!: number
  /** our last ACK for a 2xx, re-sent when the 2xx is retransmitted (§A.6) */
  lastAck?: Buffer
  /** the last 2xx to one of our INVITEs was answered with a non-2xx final (ACK must be refused) */
  lastInviteFailed = false
  /** RFC 3262 §7.1: the next RSeq of ours (uas), random below 2**31 */
  nextRseq = 1 + Math.floor(Math.random() * 0x7fff_0000)
  /** RFC 3262 §4: the highest RSeq received (uac); lower or equal ones are retransmissions */
  lastRemoteRseq = 0
  /** the subscriptions in this dialog (RFC 6665 §4.5.2), each with its own state machine */
  readonly subscriptions = new SubscriptionSet()

  // data of the current state, set and cleared by the transition into and out of it
  private ackTxnId?: string
  /** an app BYE held until the ACK (RFC 3261 §15: no BYE before the ACK of our 2xx) */
  private afterAck?: () => void
  private reliable?: PendingReliable
  /** responses the app sent while a reliable 1xx was un-PRACKed, sent once it is (RFC 3262 §3) */
  private afterPrack: Array<() => void> = []

  /** drachtio's dialog id: `<Call-ID>;from-tag=<From tag of the INVITE>` (§A.5). */
  readonly id: string
  /** Key for matching requests from the network (RFC 3261 §12.2.2). */
  readonly matchKey: string

  constructor(init: DialogInit) {
    const { state, ...rest } = init
    Object.assign(this, rest)
    this.stateValue = state ?? DialogState.Confirmed
    this.id = dialogIdOf(this.callId, this.role === 'uac' ? this.localTag : this.remoteTag)
    this.matchKey = dialogMatchKey(this.callId, this.localTag, this.remoteTag)
  }

  get state(): DialogState {
    return this.stateValue
  }

  get early(): boolean {
    return this.stateValue === DialogState.Early || this.stateValue === DialogState.EarlyAwaitingPrack
  }

  get confirmed(): boolean {
    return this.stateValue === DialogState.Confirmed || this.stateValue === DialogState.ConfirmedAwaitingAck
  }

  /** The INVITE server transaction whose 2xx awaits its ACK (§A.6 "491"), in that state only. */
  get awaitingAckTxnId(): string | undefined {
    return this.stateValue === DialogState.ConfirmedAwaitingAck ? this.ackTxnId : undefined
  }

  get hasDeferred(): boolean {
    return this.afterAck !== undefined
  }

  /** The reliable 1xx waiting for a PRACK, in `early-awaiting-prack` only. */
  get pendingReliable(): PendingReliable | undefined {
    return this.stateValue === DialogState.EarlyAwaitingPrack ? this.reliable : undefined
  }

  /** The one guarded transition: false (and nothing changes) when `to` is not allowed from here. */
  private transition(to: DialogState): boolean {
    if (!ALLOWED[this.stateValue].includes(to)) return false
    const from = this.stateValue
    this.stateValue = to
    // every timer belongs to one state: leaving it clears them
    this.timers.clearAll()
    if (from === DialogState.EarlyAwaitingPrack) this.reliable = undefined
    if (from === DialogState.ConfirmedAwaitingAck) this.ackTxnId = undefined
    return true
  }

  /** A reliable 1xx went out (RFC 3262 §3); the caller then arms Rel1xx and PrackWait. */
  awaitPrack(rel: PendingReliable): boolean {
    if (!this.transition(DialogState.EarlyAwaitingPrack)) return false
    this.reliable = rel
    return true
  }

  /** Its PRACK arrived: back to early, and what waited for it runs (queued 1xx or 2xx). */
  prackReceived(): void {
    if (!this.transition(DialogState.Early)) return
    const queued = this.afterPrack
    this.afterPrack = []
    for (const fn of queued) fn()
  }

  /** Hold `fn` (a response of the app) until the pending reliable 1xx is PRACKed. */
  deferUntilPrack(fn: () => void): void {
    this.afterPrack.push(fn)
  }

  /** A 2xx of ours to an INVITE went out; the dialog waits for the ACK. */
  awaitAck(txnId: string): boolean {
    if (!this.transition(DialogState.ConfirmedAwaitingAck)) return false
    this.ackTxnId = txnId
    return true
  }

  /** A 2xx to our INVITE arrived (uac): the early dialog is confirmed. */
  confirm(): boolean {
    return this.transition(DialogState.Confirmed)
  }

  /**
   * Our BYE went out (again, after a challenge): the dialog waits for its final response.
   * False when the dialog is in no state to end this way (early, awaiting an ACK).
   */
  byeSent(): boolean {
    if (this.stateValue !== DialogState.Terminating) return this.transition(DialogState.Terminating)
    this.timers.clear('ByeRetry')
    return true
  }

  /** Whether a BYE of ours is already out in this dialog. */
  get terminating(): boolean {
    return this.stateValue === DialogState.Terminating
  }

  /** Hold `fn` until the ACK of our 2xx has arrived or will not (see `afterAck`). */
  deferUntilAck(fn: () => void): void {
    this.afterAck = fn
  }

  /** The ACK arrived, timed out, or the dialog ended: release what waited for it. */
  ackSettled(): void {
    this.transition(DialogState.Confirmed)
    const fn = this.afterAck
    this.afterAck = undefined
    fn?.()
  }

  terminate(): boolean {
    if (this.stateValue === DialogState.Terminated) return false
    const ackTxnId = this.ackTxnId
    this.transition(DialogState.Terminated)
    this.ackTxnId = ackTxnId // kept for the table's onRemove (stops the 2xx retransmissions)
    this.afterPrack = []
    this.subscriptions.endAll()
    return true
  }

  /** The txnId whose 2xx was still awaiting its ACK when the dialog ended, if any. */
  get abandonedAckTxnId(): string | undefined {
    return this.stateValue === DialogState.Terminated ? this.ackTxnId : undefined
  }
}

export function dialogIdOf(callId: string, fromTag: string): string {
  return `${callId};from-tag=${fromTag}`
}

export function dialogMatchKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}|${localTag}|${remoteTag}`
}
