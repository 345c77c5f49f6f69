import type { ServerTransaction } from '../transaction/transaction-layer.js'
import type { Peer } from '../transport/peer.js'
import type { Dialog } from '../dialog/dialog.js'
import type { AppSession } from '../wire/app-session.js'

/** A request from the network handed to an app, known to the app by `txnId` (§A.5). */
export interface ServerEntry {
  txnId: string
  txn: ServerTransaction
  /** the request's method; the request itself is `txn.request` until the final response */
  method: string
  /** its CSeq number (an ACK for our 2xx must carry it, RFC 3261 §13.2.2.4) */
  seq: number
  peer: Peer
  session: AppSession
  /** set for in-dialog requests, and once a 2xx to an INVITE created the dialog */
  dialog?: Dialog
  /** the early dialog an initial INVITE's first 1xx created; becomes `dialog` at the 2xx */
  early?: Dialog
  /** the To-tag chosen at the first response (§A.9.11) */
  toTag?: string
  /** the caller CANCELed; later app responses get NOK (§A.9.9) */
  canceled: boolean
  /** §A.6: state dropped after 64 s if the app never answers */
  appTimer?: NodeJS.Timeout
}

export class ServerEntries {
  private readonly entries = new Map<string, ServerEntry>()

  add(e: ServerEntry): void {
    this.entries.set(e.txnId, e)
    e.txn.onTerminated(() => this.remove(e.txnId))
  }

  get(txnId: string): ServerEntry | undefined {
    return this.entries.get(txnId)
  }

  remove(txnId: string): void {
    const e = this.entries.get(txnId)
    if (!e) return
    if (e.appTimer) clearTimeout(e.appTimer)
    this.entries.delete(txnId)
  }

  /** requests an app has not given a final response yet */
  pendingCount(): number {
    let n = 0
    for (const e of this.entries.values()) if (e.txn.active && e.txn.state !== 'accepted') n++
    return n
  }

  all(): ServerEntry[] {
    return [...this.entries.values()]
  }
}
