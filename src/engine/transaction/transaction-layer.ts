import type { SipRequest, SipResponse, Via } from '../message/index.js'
import type { Peer } from '../transport/peer.js'
import { ClientInviteTransaction } from './client-invite-transaction.js'
import { ClientNonInviteTransaction } from './client-non-invite-transaction.js'
import type { ClientTransactionUser } from './client-transaction-user.js'
import { ServerInviteTransaction } from './server-invite-transaction.js'
import { ServerNonInviteTransaction } from './server-non-invite-transaction.js'
import type { TransactionContext } from './transaction.js'
import { clientKey, serverKey } from './transaction-keys.js'

export type ServerTransaction = ServerInviteTransaction | ServerNonInviteTransaction
export type ClientTransaction = ClientInviteTransaction | ClientNonInviteTransaction

/**
 * The index of live transactions and the matching rules of RFC 3261 §17.1.3 / §17.2.3.
 * A transaction leaves the index when it terminates.
 */
export class TransactionLayer {
  private readonly servers = new Map<string, ServerTransaction>()
  private readonly clients = new Map<string, ClientTransaction>()

  constructor(readonly ctx: TransactionContext) {}

  /** `key`: the request's serverKey() when the caller has it already. */
  matchServer(req: SipRequest, key = serverKey(req)): ServerTransaction | undefined {
    return this.servers.get(key)
  }

  /** The INVITE transaction a CANCEL targets (§9.2: same branch and sent-by, method INVITE). */
  matchCancelled(cancel: SipRequest, topVia?: Via): ServerInviteTransaction | undefined {
    const t = this.servers.get(serverKey(cancel, 'INVITE', topVia))
    return t instanceof ServerInviteTransaction ? t : undefined
  }

  createServer(req: SipRequest, peer: Peer, id: string, key = serverKey(req)): ServerTransaction {
    const t =
      req.method === 'INVITE'
        ? new ServerInviteTransaction(key, req, peer, this.ctx, id)
        : new ServerNonInviteTransaction(key, req, peer, this.ctx, id)
    this.servers.set(key, t)
    t.onTerminated(() => {
      if (this.servers.get(key) === t) this.servers.delete(key)
    })
    return t
  }

  matchClient(res: SipResponse): ClientTransaction | undefined {
    return this.clients.get(clientKey(res))
  }

  createClient(req: SipRequest, peer: Peer, tu: ClientTransactionUser): ClientTransaction {
    const key = clientKey(req)
    const t =
      req.method === 'INVITE'
        ? new ClientInviteTransaction(key, req, peer, this.ctx, tu)
        : new ClientNonInviteTransaction(key, req, peer, this.ctx, tu)
    this.clients.set(key, t)
    t.onTerminated(() => {
      if (this.clients.get(key) === t) this.clients.delete(key)
    })
    return t
  }

  /** Transactions that still hold call state (not merely absorbing retransmissions). */
  activeCount(): number {
    let n = 0
    for (const t of this.servers.values()) if (t.active) n++
    for (const t of this.clients.values()) if (t.active) n++
    return n
  }

  /** Every transaction in the index, lingering ones included. */
  totalCount(): number {
    return this.servers.size + this.clients.size
  }

  destroyAll(): void {
    for (const t of [...this.servers.values(), ...this.clients.values()]) t.destroy()
  }
}
