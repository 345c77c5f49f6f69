import type { Peer } from '../transport/peer.js'
import type { AppSession } from '../wire/app-session.js'

/**
 * A SIP dialog (RFC 3261 §12) as the engine keeps it for one app connection.
 *
 * ```
 *  confirmed ──BYE sent/received, ACK timeout, app gone──► terminated
 * ```
 * Early dialogs are not kept: requests inside them are not used by the B2BUA subset.
 */
export enum DialogState {
  Confirmed = 'confirmed',
  Terminated = 'terminated',
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
}

export class Dialog {
  state = DialogState.Confirmed
  readonly role!: 'uac' | 'uas'
  readonly callId!: string
  readonly localTag!: string
  readonly remoteTag!: string
  readonly local!: string
  readonly remote!: string
  localSeq!: number
  remoteSeq?: number
  remoteTarget!: string
  routeSet!: string[]
  peer!: Peer
  owner!: AppSession
  /** CSeq of the last INVITE we sent (uac side of the latest INVITE transaction) */
  inviteSeq!: number
  /** the INVITE server transaction of ours whose 2xx awaits its ACK (txnId), §A.6 "491" */
  awaitingAckTxnId?: string
  /**
   * An app BYE held back until that ACK arrives (RFC 3261 §15: the callee MUST NOT send BYE
   * before the ACK of its 2xx, or the server transaction's timeout). Run once by `ackSettled()`.
   */
  private afterAck?: () => void
  /** our last ACK for a 2xx, re-sent when the 2xx is retransmitted (§A.6) */
  lastAck?: Buffer
  /** the last 2xx to one of our INVITEs was answered with a non-2xx final (ACK must be refused) */
  lastInviteFailed = false

  /** drachtio's dialog id: `<Call-ID>;from-tag=<From tag of the INVITE>` (§A.5). */
  readonly id: string
  /** Key for matching requests from the network (RFC 3261 §12.2.2). */
  readonly matchKey: string

  constructor(init: DialogInit) {
    Object.assign(this, init)
    this.id = dialogIdOf(this.callId, this.role === 'uac' ? this.localTag : this.remoteTag)
    this.matchKey = dialogMatchKey(this.callId, this.localTag, this.remoteTag)
  }

  get hasDeferred(): boolean {
    return this.afterAck !== undefined
  }

  /** Hold `fn` until the ACK of our 2xx has arrived or will not (see `afterAck`). */
  deferUntilAck(fn: () => void): void {
    this.afterAck = fn
  }

  /** The ACK arrived, timed out, or the dialog ended: release what waited for it. */
  ackSettled(): void {
    this.awaitingAckTxnId = undefined
    const fn = this.afterAck
    this.afterAck = undefined
    fn?.()
  }

  terminate(): boolean {
    if (this.state === DialogState.Terminated) return false
    this.state = DialogState.Terminated
    return true
  }
}

export function dialogIdOf(callId: string, fromTag: string): string {
  return `${callId};from-tag=${fromTag}`
}

export function dialogMatchKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}|${localTag}|${remoteTag}`
}
