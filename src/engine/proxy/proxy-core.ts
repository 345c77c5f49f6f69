import { getHeader, getHeaders, parseNameAddr, serializeMessage, type SipRequest, type SipResponse } from '../message/index.js'
import { buildResponse } from '../core/build-response.js'
import type { CdrWriter } from '../core/cdr.js'
import type { LocalAddress } from '../core/local-address.js'
import { newTag } from '../core/tags.js'
import { ServerInviteTransaction } from '../transaction/server-invite-transaction.js'
import type { ServerTransaction, TransactionLayer } from '../transaction/transaction-layer.js'
import type { TransportLayer } from '../transport/transport-layer.js'
import type { Logger } from 'pino'
import { bestResponse } from './best-response.js'
import { ProxyBranch, BranchState, type BranchOwner } from './proxy-branch.js'
import type { ProxyCommand } from './proxy-command.js'
import type { ProxyReport } from './proxy-report.js'
import { routeNamesUs } from './record-route.js'

/**
 * A stateful proxy operation (RFC 3261 §16), started by the app's `proxy` command for a
 * request it received, as drachtio-server's `ProxyCore` runs it (sip-proxy-controller.cpp):
 *
 * ```
 *  searching ──2xx from a branch (forwarded, other branches CANCELed)──► answered ──┐
 *      │ every branch done: best response (§16.7 step 6) or 408                      │ every branch
 *      │ caller's CANCEL: 200 + 487, branches CANCELed                               │ ended
 *      │ Max-Forwards 0: 483 / no destination usable: 500                            ▼
 *      └────────────────────────────────────────────────────► responded ─────► terminated
 * ```
 * Branches go one after another (`serial`: the next on a 3xx–6xx, a timeout or an
 * unusable destination) or all at once (`simultaneous`). Provisional responses (not 100)
 * are forwarded while searching (§16.7 step 5); every 2xx is forwarded, even late ones.
 */
export enum ProxyState {
  Searching = 'searching',
  Answered = 'answered',
  Responded = 'responded',
  Terminated = 'terminated',
}

export interface ProxyCoreDeps {
  txns: TransactionLayer
  transport: TransportLayer
  local: LocalAddress
  cdr: CdrWriter
  logger: Logger
  /** the operation is over (every branch ended): forget it */
  onTerminated(core: ProxyCore): void
  /** a 2xx to an INVITE went upstream: the server transaction is gone, its retransmissions must still be absorbed */
  onAnswered(core: ProxyCore): void
  /** a 401/407 from `target`: remember it for the caller's retry; false when it is no challenge */
  onChallenge(res: SipResponse, target: string): boolean
}

export class ProxyCore implements BranchOwner {
  private stateValue = ProxyState.Searching
  private readonly branches: ProxyBranch[] = []
  /** the received request, less a preloaded Route naming us (§16.4) */
  readonly request: SipRequest

  constructor(
    readonly txn: ServerTransaction,
    private readonly command: ProxyCommand,
    private readonly report: ProxyReport,
    private readonly deps: ProxyCoreDeps,
  ) {
    const req = txn.request
    const headers = req.headers.map((h) => ({ name: h.name, value: h.value }))
    const firstRoute = headers.findIndex((h) => h.name === 'route')
    if (firstRoute >= 0 && routeNamesUs(headers[firstRoute].value, deps.local)) headers.splice(firstRoute, 1)
    this.request = { ...req, headers }
  }

  get state(): ProxyState {
    return this.stateValue
  }

  get isInvite(): boolean {
    return this.request.method === 'INVITE'
  }

  private transition(to: ProxyState, from: readonly ProxyState[]): boolean {
    if (!from.includes(this.stateValue)) return false
    this.stateValue = to
    if (to === ProxyState.Terminated) this.deps.onTerminated(this)
    return true
  }

  /** Begin: the Max-Forwards check (§16.3 step 3), then the first branch(es). */
  start(): void {
    const mf = getHeader(this.request, 'max-forwards')
    if (mf !== undefined && Number.parseInt(mf, 10) <= 0) {
      // drachtio-server's text; srf rejects proxyRequest() with it
      this.report.fail('Rejected with 483 Too Many Hops due to Max-Forwards value of 0')
      this.respondUpstream(483)
      return this.finish()
    }
    for (const d of this.command.destinations) this.branches.push(new ProxyBranch(d, { txns: this.deps.txns, local: this.deps.local, command: this.command }, this))
    if (this.startBranches() === 0) {
      this.report.fail('error proxying request to ')
      this.respondUpstream(500)
      return this.finish()
    }
    if (!this.command.fullResponse) this.report.done()
  }

  /** Start the waiting branches: all of them when simultaneous, else the next usable one. */
  private startBranches(): number {
    if (this.stateValue !== ProxyState.Searching) return 0
    let started = 0
    for (const b of this.branches) {
      if (b.state !== BranchState.Waiting) continue
      const sent = b.start(this.request)
      if (!sent) continue
      started++
      if (this.isInvite) this.deps.cdr.attempt('application', sent)
      if (!this.command.simultaneous) break
    }
    return started
  }

  // ── the caller ────────────────────────────────────────────────────────────────

  /** The caller's CANCEL of the proxied INVITE (§16.10): 200, 487 upstream, every branch CANCELed. */
  onCancel(cancel: SipRequest, respond: (res: SipResponse) => void): void {
    respond(buildResponse(cancel, 200, { toTag: newTag() }))
    if (this.stateValue !== ProxyState.Searching) return
    this.respondUpstream(487)
    this.transition(ProxyState.Responded, [ProxyState.Searching])
    for (const b of this.branches) b.cancel()
    this.afterBranchEvent()
  }

  // ── the branches (BranchOwner) ─────────────────────────────────────────────────

  onProvisional(_branch: ProxyBranch, res: SipResponse, _raw: Buffer): void {
    if (res.status === 100 || this.stateValue !== ProxyState.Searching) return // §16.7 step 5: 100 is ours
    if (!forwardable(res)) return
    this.txn.respond(upstream(res), res.status).catch(() => {})
  }

  onFinal(branch: ProxyBranch, res: SipResponse, raw: Buffer): void {
    if (!forwardable(res)) {
      branch.final = undefined
      return this.afterBranchEvent()
    }
    this.report.final(raw, branch.peer!)
    if (this.isInvite) this.deps.cdr.stop('network', res.status === 487 ? 'call-canceled' : 'call-rejected', raw)
    if (this.stateValue === ProxyState.Searching) {
      if (res.status < 400 && this.command.followRedirects) this.recurse(branch, res)
      // drachtio-server stops searching on a challenge and sends it on (`addChallenge`)
      if ((res.status === 401 || res.status === 407) && this.deps.onChallenge(res, branch.target)) {
        for (const b of this.branches) if (b.state === BranchState.Waiting) b.cancel()
      }
      this.startBranches()
    }
    this.afterBranchEvent()
  }

  onAnswer(branch: ProxyBranch, res: SipResponse, raw: Buffer, retransmission: boolean): void {
    if (!forwardable(res)) return this.afterBranchEvent()
    const buf = serializeMessage(upstream(res))
    if (retransmission) return void this.deps.transport.sendQuietly(buf, this.txn.peer) // RFC 6026 §8.3
    this.report.final(raw, branch.peer!)
    this.report.done()
    if (this.isInvite) this.deps.cdr.start('network', 'proxy-uac', raw)
    if (this.stateValue === ProxyState.Searching) {
      this.transition(ProxyState.Answered, [ProxyState.Searching])
      this.txn.respond(buf, res.status).catch(() => {})
      if (this.txn instanceof ServerInviteTransaction) {
        // a proxy does not retransmit a 2xx, nor wait for its ACK (RFC 6026 §7.1): the
        // UAS retransmits, and the ACK goes end to end
        this.txn.abandonAck()
        this.deps.onAnswered(this)
      }
      if (this.isInvite) this.deps.cdr.start('application', 'proxy-uas', buf)
      for (const b of this.branches) if (b !== branch) b.cancel() // §16.7 step 10
    } else if (this.isInvite) {
      this.deps.transport.sendQuietly(buf, this.txn.peer) // §16.7 step 5: every 2xx to an INVITE goes upstream
    }
    this.afterBranchEvent()
  }

  onAbandoned(_branch: ProxyBranch): void {
    this.startBranches()
    this.afterBranchEvent()
  }

  // ── progress ───────────────────────────────────────────────────────────────────

  /** §16.6 step 6 / §16.7 step 4: a search with no branch left running ends with the best response. */
  private afterBranchEvent(): void {
    const running = this.branches.some((b) => b.running)
    const waiting = this.branches.some((b) => b.state === BranchState.Waiting)
    if (this.stateValue === ProxyState.Searching && !running && !waiting) this.sendBest()
    if (this.stateValue !== ProxyState.Searching && !this.branches.some((b) => b.running || b.state === BranchState.Canceling)) {
      this.report.done()
    }
    if (this.stateValue !== ProxyState.Searching && this.branches.every((b) => b.ended || b.state === BranchState.Waiting)) this.finish()
  }

  private sendBest(): void {
    const done = this.branches.filter((b) => b.final)
    const best = bestResponse(done.map((b) => b.final!.res.status))
    this.transition(ProxyState.Responded, [ProxyState.Searching])
    if (best < 0) {
      this.respondUpstream(408) // sip-proxy-controller.cpp forwardBestResponse: no candidate → 408
    } else {
      const res = done[best].final!.res
      const buf = serializeMessage(upstream(res))
      this.txn.respond(buf, res.status).catch(() => {})
      if (this.isInvite) this.deps.cdr.stop('application', res.status === 487 ? 'call-canceled' : 'call-rejected', buf)
    }
    this.report.done()
  }

  /** §16.5: a 3xx's Contacts join the target set right after the branch that got it. */
  private recurse(branch: ProxyBranch, res: SipResponse): void {
    const known = new Set(this.branches.map((b) => b.target))
    const added: ProxyBranch[] = []
    for (const c of getHeaders(res, 'contact')) {
      let uri: string
      try {
        uri = parseNameAddr(c).uri
      } catch {
        continue
      }
      if (known.has(uri)) continue
      known.add(uri)
      added.push(new ProxyBranch(uri, { txns: this.deps.txns, local: this.deps.local, command: this.command }, this))
    }
    // the 3xx stays a candidate for the best response, as in drachtio-server
    this.branches.splice(this.branches.indexOf(branch) + 1, 0, ...added)
  }

  /** A response of our own upstream (483, 487, 500, 408), with a CDR as drachtio-server writes it. */
  private respondUpstream(status: number): void {
    const res = serializeMessage(buildResponse(this.request, status, { toTag: newTag() }))
    if (this.isInvite) this.deps.cdr.stop('application', 'call-rejected', res)
    this.txn.respond(res, status).catch(() => {})
  }

  private finish(): void {
    if (this.stateValue === ProxyState.Searching) this.transition(ProxyState.Responded, [ProxyState.Searching])
    this.transition(ProxyState.Terminated, [ProxyState.Answered, ProxyState.Responded])
  }

  /** Engine shutdown. */
  destroy(): void {
    for (const b of this.branches) b.destroy()
    this.transition(ProxyState.Terminated, [ProxyState.Searching, ProxyState.Answered, ProxyState.Responded])
  }
}

/**
 * §16.7 step 3: a response with no Via left once ours is removed was meant for us and is
 * not forwarded (a UAS that answered with the Vias of another request). drachtio-server
 * finds no proxy for it (its lookup key is the second Via's branch) and drops it.
 */
function forwardable(res: SipResponse): boolean {
  let n = 0
  for (const h of res.headers) if (h.name === 'via' && ++n === 2) return true
  return false
}

/** A response as it goes upstream: our Via removed (§16.7 step 3). */
function upstream(res: SipResponse): SipResponse {
  const i = res.headers.findIndex((h) => h.name === 'via')
  return { ...res, headers: res.headers.filter((_, j) => j !== i) }
}
