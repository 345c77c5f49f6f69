import type { SipRequest } from '../message/index.js'
import type { ClientTransaction } from '../transaction/transaction-layer.js'
import type { Peer } from '../transport/peer.js'
import type { Dialog } from '../dialog/dialog.js'
import type { AppSession } from '../wire/app-session.js'
import type { TargetFailover } from './target-failover.js'

/** A request an app sent through us, known to it by `txnId` (§A.5). */
export interface ClientEntry {
  txnId: string
  txn: ClientTransaction
  /** the request's method; the request itself is `txn.request` until the final response */
  method: string
  peer: Peer
  session: AppSession
  /** the dialog an in-dialog request belongs to, or the one a 2xx to our INVITE created */
  dialog?: Dialog
  /** the early dialog a reliable 1xx to our INVITE created (RFC 3262); becomes `dialog` at the 2xx */
  early?: Dialog
  /** the app CANCELed this INVITE: built CANCEL waiting for a provisional (RFC 3261 §9.1) */
  pendingCancel?: SipRequest
  /** more targets for this new request (RFC 3263 §4.3); `txn` and `peer` move to each in turn */
  failover?: TargetFailover
}

export class ClientEntries {
  private readonly entries = new Map<string, ClientEntry>()

  add(e: ClientEntry): void {
    this.entries.set(e.txnId, e)
    const txn = e.txn
    // after a failover the entry belongs to its new transaction: the old one's end leaves it
    txn.onTerminated(() => {
      if (this.entries.get(e.txnId) === e && e.txn === txn) this.entries.delete(e.txnId)
    })
  }

  get(txnId: string): ClientEntry | undefined {
    return this.entries.get(txnId)
  }

  pendingCount(): number {
    let n = 0
    for (const e of this.entries.values()) if (e.txn.active) n++
    return n
  }
}
