import type { SipRequest } from '../message/index.js'
import { getHeader, getTag } from '../message/index.js'
import { CdrWriter } from '../core/cdr.js'
import type { CoreContext } from '../core/core-context.js'
import type { LocalAddress } from '../core/local-address.js'
import { serverKey } from '../transaction/transaction-keys.js'
import type { Inbound } from '../transport/transport-layer.js'
import type { Peer } from '../transport/peer.js'
import { stampReceived } from '../transport/via-received.js'
import type { AppSession } from '../wire/app-session.js'
import { Challenges } from './challenges.js'
import { ProxyCore } from './proxy-core.js'
import { parseProxyCommand } from './proxy-command.js'
import { ProxyReport } from './proxy-report.js'
import { StatelessForwarder } from './stateless-forward.js'

/**
 * Proxy mode (drachtio-protocol.md §A.2 `proxy`, drachtio-server's SipProxyController):
 * the app hands a request it received to the engine, which proxies it statefully
 * (RFC 3261 §16) and reports back. Holds the live operations, takes the caller's CANCEL
 * for them, and forwards what a Record-Routed dialog sends through us afterwards.
 */
export class ProxyController {
  /** live proxy operations by the txnId of the request they proxy */
  private readonly cores = new Map<string, ProxyCore>()
  /** server keys of proxied INVITEs whose 2xx went upstream: retransmissions absorbed for 64·T1 (RFC 6026 §7.1) */
  private readonly answered = new Map<string, NodeJS.Timeout>()
  private readonly cdr: CdrWriter
  private readonly forwarder: StatelessForwarder
  private readonly challenges = new Challenges()

  constructor(
    private readonly ctx: CoreContext,
    private readonly local: LocalAddress,
  ) {
    this.cdr = new CdrWriter(ctx.wire)
    this.forwarder = new StatelessForwarder({ transport: ctx.transport, local, cdr: this.cdr })
  }

  /** operations still running (the tests' leak check) */
  get count(): number {
    return this.cores.size
  }

  /** `proxy|<txnId>|…` from an app (client.cpp → SipProxyController::doProxy). */
  onCommand(session: AppSession, msgId: string, token: readonly string[], sip: Buffer): void {
    const cmd = parseProxyCommand(token, sip)
    if (!cmd) return session.reply(msgId, 'NOK|Invalid proxy request: not enough information provided')
    const entry = this.ctx.server.get(cmd.txnId)
    // only a request the app has not answered yet can be proxied (drachtio-server takes it
    // from its pending requests, which the first response empties)
    const pending = entry && entry.session === session && !entry.canceled && !entry.toTag && !entry.dialog && entry.txn.active
    if (!entry || !pending) return session.reply(msgId, `NOK|Unknown transaction id: ${cmd.txnId}`)
    this.ctx.server.remove(cmd.txnId)
    // the caller's retry with credentials goes where the challenge came from (drachtio's doProxy)
    const challenger = this.challenges.targetFor(entry.txn.request)
    if (challenger) cmd.destinations = [challenger]
    const core = new ProxyCore(entry.txn, cmd, new ProxyReport(session, msgId, cmd.fullResponse), {
      txns: this.ctx.txns,
      transport: this.ctx.transport,
      local: this.local,
      cdr: this.cdr,
      logger: this.ctx.logger,
      onTerminated: () => this.cores.delete(cmd.txnId),
      onAnswered: (c) => this.rememberAnswered(c.txn.key),
      onChallenge: (res, target) => this.challenges.remember(res, target),
    })
    this.cores.set(cmd.txnId, core)
    core.start()
  }

  /**
   * A request from the network that belongs to proxy mode: the caller's CANCEL of a proxied
   * INVITE, a retransmission of one already answered, or an in-dialog request routed through
   * us. Returns false for everything else (the server side handles it).
   */
  onRequest(inbound: Inbound): boolean {
    const req = inbound.msg as SipRequest
    if (req.method === 'CANCEL') return this.cores.size > 0 && this.onCancel(req, inbound)
    if (req.method === 'INVITE' && this.answered.size > 0 && getTag(getHeader(req, 'to') ?? '') === undefined) {
      if (this.answered.has(serverKey(req))) return true
    }
    if (!this.forwarder.isRoutedToUs(req)) return false
    // an ACK for a non-2xx response of ours is hop-by-hop: the server transaction takes it
    if (req.method === 'ACK' && this.ctx.txns.matchServer(req)) return false
    // a UA that preloads our address as a Route on requests of a dialog we are a party to
    // (drachtio-server would forward it to its Request-URI, us, and take it in there)
    if (this.isOurDialog(req)) return false
    this.forwarder.forwardRequest(inbound)
    return true
  }

  private isOurDialog(req: SipRequest): boolean {
    const callId = getHeader(req, 'call-id') ?? ''
    const toTag = getTag(getHeader(req, 'to') ?? '') ?? ''
    const fromTag = getTag(getHeader(req, 'from') ?? '') ?? ''
    return this.ctx.dialogs.match(callId, toTag, fromTag) !== undefined
  }

  /** A response for no client transaction: upstream, when our Via is on top of another. */
  onResponse(inbound: Inbound): boolean {
    return inbound.msg.kind === 'response' && this.forwarder.forwardResponse(inbound.msg)
  }

  private onCancel(cancel: SipRequest, inbound: Inbound): boolean {
    const ist = this.ctx.txns.matchCancelled(cancel)
    const core = ist ? this.cores.get(ist.id) : undefined
    if (!core) return false
    const peer: Peer = inbound.peer.protocol === 'udp' ? { protocol: 'udp', ...stampReceived(cancel, inbound.peer) } : inbound.peer
    core.onCancel(cancel, (res) => this.ctx.transport.sendQuietly(res, peer))
    return true
  }

  private rememberAnswered(key: string): void {
    const t = setTimeout(() => this.answered.delete(key), 64 * this.ctx.timers.T1)
    t.unref?.()
    this.answered.set(key, t)
  }

  /** Engine shutdown. */
  close(): void {
    for (const c of [...this.cores.values()]) c.destroy()
    this.cores.clear()
    for (const t of this.answered.values()) clearTimeout(t)
    this.answered.clear()
    this.challenges.close()
  }
}
