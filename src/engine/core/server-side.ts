import { randomUUID } from 'node:crypto'
import {
  getHeader,
  getHeaders,
  getTag,
  parseCSeq,
  parseNameAddr,
  parseVia,
  serializeMessage,
  type SipHeader,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  type Via,
} from '../message/index.js'
import { Dialog, DialogState, dialogIdOf } from '../dialog/dialog.js'
import { ServerInviteTransaction } from '../transaction/server-invite-transaction.js'
import { serverKey } from '../transaction/transaction-keys.js'
import type { Inbound } from '../transport/transport-layer.js'
import type { Peer } from '../transport/peer.js'
import { stampReceived } from '../transport/via-received.js'
import type { AppSession } from '../wire/app-session.js'
import { meta6 } from '../wire/wire-meta.js'
import { notifyApp } from './app-notify.js'
import { buildResponse, withTag } from './build-response.js'
import { CdrWriter } from './cdr.js'
import { accepts100rel, parseRAck, requires100rel, unsupportedRequired } from './extensions.js'
import type { CoreContext } from './core-context.js'
import { appHeaders, defaultContentType, hasHeader, replaceLocalhost } from './header-rules.js'
import type { LocalAddress } from './local-address.js'
import type { ServerEntry } from './server-entries.js'
import type { Subscriptions } from './subscriptions.js'
import { initialCSeq, newTag } from './tags.js'

/** Requests an early dialog takes (RFC 3262 PRACK, RFC 3311 UPDATE, RFC 6086 INFO). */
const EARLY_METHODS = new Set(['PRACK', 'UPDATE', 'INFO'])

/** What the server side asks of the client side: send a BYE of the engine's own (§A.3.4). */
export interface EngineInitiatedBye {
  sendBye(dialog: Dialog, reason: string): void
}

/**
 * Requests from the network and the apps' responses to them: drachtio-server's UAS
 * behaviour (drachtio-protocol.md §A.5–A.6): 100 Trying, routing to apps, 503 when
 * nobody routed the method, CANCEL → 200 + 487, 2xx retransmission until ACK, 481/491.
 */
export class ServerSide {
  private roundRobin = 0
  byeSender?: EngineInitiatedBye
  private readonly cdr: CdrWriter

  constructor(
    private readonly ctx: CoreContext,
    private readonly local: LocalAddress,
    private readonly subs: Subscriptions,
  ) {
    this.cdr = new CdrWriter(ctx.wire)
  }

  onRequest(inbound: Inbound): void {
    const req = inbound.msg as SipRequest
    // the top Via is parsed once here (the parser has checked it) and shared by what follows
    const via = parseVia(getHeader(req, 'via') ?? '')
    const respondTo: Peer =
      inbound.peer.protocol === 'udp' ? { protocol: 'udp', ...stampReceived(req, inbound.peer, via) } : inbound.peer
    const key = serverKey(req, undefined, via)
    if (req.method === 'ACK') return this.onAck(req, inbound, key)
    const existing = this.ctx.txns.matchServer(req, key)
    if (existing) {
      this.ctx.stats.retransmissionsAbsorbed++
      existing.onRetransmission()
      return
    }
    if (req.method === 'CANCEL') return this.onCancel(req, inbound, respondTo, via)
    // RFC 3261 §8.2.2.3: an extension we do not understand in Require → 420 + Unsupported
    const unsupported = unsupportedRequired(req)
    if (unsupported.length > 0) return this.stateless(req, respondTo, 420, [{ name: 'unsupported', value: unsupported.join(', ') }])
    const toTag = getTag(getHeader(req, 'to') ?? '')
    if (toTag !== undefined) return this.onInDialog(req, inbound, respondTo, toTag, key)
    this.onNewRequest(req, inbound, respondTo, key)
  }

  // ── out of dialog ─────────────────────────────────────────────────────────────

  private onNewRequest(req: SipRequest, inbound: Inbound, peer: Peer, key: string): void {
    const method = req.method
    if (method === 'BYE' || method === 'UPDATE' || method === 'PRACK') return this.stateless(req, peer, 481)
    const session = this.pickApp(method.toLowerCase())
    const txnId = randomUUID()
    const txn = this.ctx.txns.createServer(req, peer, txnId, key)
    // §A.6: 100 Trying for every new INVITE before the app sees it.
    if (method === 'INVITE') void txn.respond(buildResponse(req, 100), 100).catch(() => {})
    if (method === 'INVITE') this.cdr.attempt('network', inbound.raw)
    if (!session) {
      const status = method === 'OPTIONS' ? 200 : 503
      const headers: SipHeader[] = method === 'OPTIONS' ? [{ name: 'allow', value: 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE, PRACK, NOTIFY, REFER' }] : []
      const res = serializeMessage(buildResponse(req, status, { toTag: newTag(), headers }))
      void txn.respond(res, status).catch(() => {})
      if (method === 'INVITE') this.cdr.stop('application', 'call-rejected', res)
      return
    }
    const seq = method === 'INVITE' ? parseCSeq(getHeader(req, 'cseq') ?? '').seq : 0
    const entry: ServerEntry = { txnId, txn, method, seq, peer, session, canceled: false }
    this.ctx.server.add(entry)
    this.armAppTimer(entry)
    const receivedOnPort = inbound.peer.protocol === 'tls' ? (this.local.tlsPort ?? this.local.port) : this.local.port
    notifyApp(session, inbound.raw, inbound.peer, txnId, '', { host: this.local.host, port: receivedOnPort })
  }

  /** §A.5: round-robin across the apps that routed the method. */
  private pickApp(verb: string): AppSession | undefined {
    const candidates = this.ctx.wire.sessionsFor(verb)
    if (candidates.length === 0) return undefined
    this.roundRobin = (this.roundRobin + 1) % candidates.length
    return candidates[this.roundRobin]
  }

  /** §A.6: if the app never answers, state is dropped after 64 s without a final response. */
  private armAppTimer(entry: ServerEntry): void {
    entry.appTimer = setTimeout(() => {
      entry.appTimer = undefined
      if (entry.txn.active && entry.txn.state !== 'accepted') {
        this.ctx.logger.warn({ txnId: entry.txnId, method: entry.method }, 'app never answered; dropping request')
        this.dropEarly(entry)
        entry.txn.destroy()
      }
    }, this.ctx.appResponseTimeoutMs)
    entry.appTimer.unref?.()
  }

  private stateless(req: SipRequest, peer: Peer, status: number, headers?: SipHeader[]): void {
    this.ctx.transport.sendQuietly(buildResponse(req, status, { toTag: newTag(), headers }), peer)
  }

  /** The initial INVITE ended without a 2xx: its early dialog goes. */
  private dropEarly(entry: ServerEntry): void {
    if (entry.early) this.ctx.dialogs.remove(entry.early)
    entry.early = undefined
  }

  // ── CANCEL (RFC 3261 §9.2, §A.6) ─────────────────────────────────────────────

  private onCancel(cancel: SipRequest, inbound: Inbound, peer: Peer, via: Via): void {
    const ist = this.ctx.txns.matchCancelled(cancel, via)
    const entry = ist ? this.ctx.server.get(ist.id) : undefined
    if (!ist) return this.stateless(cancel, peer, 481)
    if (ist.state === 'proceeding') {
      // RFC 3261 §9.2: the 200 to the CANCEL and the 487 carry the same To tag
      const toTag = entry?.toTag ?? newTag()
      this.ctx.transport.sendQuietly(buildResponse(cancel, 200, { toTag }), peer)
      if (entry) {
        entry.canceled = true
        entry.toTag = toTag
        this.dropEarly(entry)
      }
      void ist.respond(buildResponse(ist.request, 487, { toTag }), 487).catch(() => {})
      if (entry) this.cdr.stop('network', 'call-canceled', inbound.raw)
      if (entry) notifyApp(entry.session, inbound.raw, inbound.peer, entry.txnId, '')
      return
    }
    if (ist.state === 'accepted') {
      // A CANCEL after our 2xx has no effect on the call (RFC 3261 §9.2): 481, and the call
      // goes on. drachtio-server (sofia's incoming_cancel) does exactly this; it does not BYE.
      return this.stateless(cancel, peer, 481)
    }
    // the INVITE already has its final response: the CANCEL has no effect (§9.2)
    this.ctx.transport.sendQuietly(buildResponse(cancel, 200, { toTag: entry?.toTag ?? newTag() }), peer)
  }

  // ── ACK ──────────────────────────────────────────────────────────────────────

  private onAck(ack: SipRequest, inbound: Inbound, key: string): void {
    const txn = this.ctx.txns.matchServer(ack, key)
    if (txn instanceof ServerInviteTransaction && txn.state !== 'accepted') {
      txn.onAck() // ACK for a non-2xx: absorbed (§17.2.1)
      return
    }
    const dialog = this.matchDialog(ack)
    if (!dialog || !dialog.awaitingAckTxnId) return // stray or retransmitted ACK: dropped
    const entry = this.ctx.server.get(dialog.awaitingAckTxnId)
    // RFC 3261 §13.2.2.4: the ACK for a 2xx carries the INVITE's CSeq number. Another ACK in
    // the dialog (e.g. for a stateless 491 to a re-INVITE) must not stop the 2xx retransmissions.
    if (entry && parseCSeq(getHeader(ack, 'cseq') ?? '').seq !== entry.seq) return
    if (!entry) return dialog.ackSettled()
    ;(entry.txn as ServerInviteTransaction).onAckFor2xx()
    // §A.5: the ACK reaches the app with the INVITE's txnId.
    notifyApp(dialog.owner, inbound.raw, inbound.peer, entry.txnId, dialog.id)
    dialog.ackSettled() // after the ACK notification: a BYE the app sent meanwhile goes out now
  }

  private matchDialog(req: SipRequest, toTag = getTag(getHeader(req, 'to') ?? '') ?? ''): Dialog | undefined {
    const callId = getHeader(req, 'call-id') ?? ''
    const fromTag = getTag(getHeader(req, 'from') ?? '') ?? ''
    return this.ctx.dialogs.match(callId, toTag, fromTag)
  }

  // ── in dialog (RFC 3261 §12.2.2) ────────────────────────────────────────────

  private onInDialog(req: SipRequest, inbound: Inbound, peer: Peer, toTag: string, key: string): void {
    const dialog = this.matchDialog(req, toTag)
    // RFC 6665 §4.1.2.4: a NOTIFY overtaking the 2xx to our SUBSCRIBE is routed as a new request (drachtio-server)
    if (!dialog && req.method === 'NOTIFY' && this.subs.awaitingFinal(getHeader(req, 'call-id') ?? '', toTag)) return this.onNewRequest(req, inbound, peer, key)
    if (!dialog || dialog.owner.state === 'closed') {
      if (dialog) this.ctx.dialogs.remove(dialog)
      return this.stateless(req, peer, 481)
    }
    // an early dialog takes PRACK, UPDATE (RFC 3311 §5.2) and INFO; anything else is for no dialog
    if (dialog.early && !EARLY_METHODS.has(req.method)) return this.stateless(req, peer, 481)
    // RFC 3262 §3: a PRACK matching no un-PRACKed reliable 1xx gets 481
    if (req.method === 'PRACK' && !this.prackMatches(dialog, req)) return this.stateless(req, peer, 481)
    const seq = parseCSeq(getHeader(req, 'cseq') ?? '').seq
    if (dialog.remoteSeq !== undefined && seq <= dialog.remoteSeq) return this.stateless(req, peer, 500)
    // §A.6: a re-INVITE while an INVITE of ours awaits its ACK gets 491.
    if (req.method === 'INVITE' && dialog.awaitingAckTxnId) return this.stateless(req, peer, 491)
    dialog.remoteSeq = seq
    if (req.method === 'INVITE' || req.method === 'UPDATE') {
      const contact = getHeader(req, 'contact')
      if (contact) dialog.remoteTarget = parseNameAddr(contact).uri // target refresh, §12.2.2
    }
    const txnId = randomUUID()
    const txn = this.ctx.txns.createServer(req, peer, txnId, key)
    if (req.method === 'INVITE') void txn.respond(buildResponse(req, 100), 100).catch(() => {})
    const entry: ServerEntry = { txnId, txn, method: req.method, seq, peer, session: dialog.owner, dialog, toTag: dialog.localTag, canceled: false }
    this.ctx.server.add(entry)
    this.armAppTimer(entry)
    // §A.6: a received BYE ends the dialog at once; the app still answers it.
    if (req.method === 'BYE') this.ctx.dialogs.remove(dialog)
    if (req.method === 'BYE') this.cdr.stop('network', 'normal-release', inbound.raw)
    notifyApp(dialog.owner, inbound.raw, inbound.peer, txnId, dialog.id)
    if (req.method === 'NOTIFY') this.subs.onNotifyReceived(dialog, req)
    // the PRACK reaches the app (which answers it, as srf does with 200); then the 1xx stops
    // being retransmitted and what waited for it goes out (sip-dialog-controller.cpp processPrack)
    if (req.method === 'PRACK') dialog.prackReceived()
  }

  private prackMatches(dialog: Dialog, prack: SipRequest): boolean {
    const pending = dialog.pendingReliable
    const rack = parseRAck(getHeader(prack, 'rack'))
    return !!pending && !!rack && rack.rseq === pending.rseq && rack.seq === pending.inviteSeq && rack.method === 'INVITE'
  }

  // ── the app's responses (§A.4) ──────────────────────────────────────────────

  onAppResponse(session: AppSession, msgId: string, txnId: string, msg: SipResponse): void {
    const entry = this.ctx.server.get(txnId)
    if (!entry || entry.session !== session) return session.reply(msgId, 'NOK|Response not sent due to unknown transaction')
    // drachtio-server forgets a CANCELed request, so its text is the unknown-transaction one
    if (entry.canceled) return session.reply(msgId, 'NOK|Response not sent due to unknown transaction')
    const txn = entry.txn
    const final = txn instanceof ServerInviteTransaction ? txn.state !== 'proceeding' : !txn.active
    if (final) return session.reply(msgId, 'NOK|Response not sent: a final response was already sent')
    const req = txn.request
    const status = msg.status
    if (status > 100 && !entry.toTag) entry.toTag = getTag(getHeader(msg, 'to') ?? '') ?? newTag() // §A.9.11
    const res = this.buildAppResponse(req, msg, entry)
    const isInvite = req.method === 'INVITE'
    const initialInvite = isInvite && !entry.dialog
    // drachtio-server's UAS leg is tagged at the first response: from then on the early
    // dialog takes PRACK, UPDATE and INFO (RFC 3261 §12.1.1)
    if (initialInvite && status > 100 && status < 300 && !entry.early) {
      entry.early = this.createUasDialog(entry, res, DialogState.Early)
    }
    let dialog = entry.dialog
    if (isInvite && status >= 200 && status < 300 && !dialog) {
      dialog = entry.early!
      entry.dialog = dialog
      entry.early = undefined
    }
    if (!isInvite) dialog = this.subs.onResponseSent(entry, res) // a 2xx to SUBSCRIBE/REFER makes or refreshes a subscription
    if (status >= 200 && entry.appTimer) {
      clearTimeout(entry.appTimer)
      entry.appTimer = undefined
    }
    // drachtio-server echoes the dialog id on every response to an INVITE it holds, 1xx and
    // 3xx–6xx included (sip-dialog-controller.cpp, the invite-in-progress branch)
    const dialogId = dialog?.id ?? (initialInvite ? dialogIdOf(getHeader(req, 'call-id') ?? '', getTag(getHeader(req, 'from') ?? '') ?? '') : '')
    if (initialInvite && status > 100 && status < 200 && requires100rel(msg)) {
      return this.sendReliable(session, msgId, entry, entry.early!, res, dialogId)
    }
    const buf = serializeMessage(res)
    const send = (): void => {
      if (isInvite && status >= 200 && status < 300 && dialog) this.awaitAck(dialog, txn as ServerInviteTransaction, txnId)
      txn.respond(buf, status).catch((err: Error) => this.ctx.logger.warn({ err, txnId }, 'could not send response'))
    }
    // The echo goes out before anything else can happen on this transaction (§A.5 ordering).
    session.reply(msgId, `OK|${meta6('application', buf.length, entry.peer)}|${txnId}|${dialogId}||Msg sent:|`, buf)
    // RFC 3262 §3: no 2xx while a reliable 1xx with a session description is un-PRACKed
    // (sofia's nta.c `reliable_final` queues it); a 1xx or a failure goes at once.
    if (dialog?.pendingReliable?.precious && status < 300) dialog.deferUntilPrack(send)
    else send()
    // a non-INVITE server transaction now only absorbs retransmissions (Timer J): let the dialog go
    if (status >= 200 && !isInvite) entry.dialog = undefined
    if (initialInvite && status >= 300) this.dropEarly(entry)
    if (initialInvite && status >= 300) this.cdr.stop('application', 'call-rejected', buf)
    else if (initialInvite && status >= 200) this.cdr.start('application', 'uas', buf)
  }

  /** Our 2xx to an INVITE goes out: the dialog waits for the ACK; none in 64·T1 → BYE (§A.6). */
  private awaitAck(dialog: Dialog, txn: ServerInviteTransaction, txnId: string): void {
    dialog.awaitAck(txnId)
    txn.events.onAckTimeout = () => {
      if (dialog.awaitingAckTxnId !== txnId) return
      const appBye = dialog.hasDeferred
      dialog.ackSettled() // the app's own BYE, if it sent one, goes out now
      if (!appBye) this.byeSender?.sendBye(dialog, 'ACK timeout')
    }
  }

  /**
   * A 1xx the app sent with `Require: 100rel` goes out reliably (RFC 3262 §3), as
   * drachtio-server does with sofia's `nta_reliable_treply` (sip-dialog-controller.cpp
   * `doRespondToSipRequest`): RSeq added, retransmitted until its PRACK, 503 after 64·T1.
   * A request that neither supports nor requires 100rel → `NOK` (drachtio's text). A second
   * reliable 1xx while one is un-PRACKed waits for that PRACK (nta.c `reliable_mreply`).
   */
  private sendReliable(session: AppSession, msgId: string, entry: ServerEntry, dialog: Dialog, res: SipResponse, dialogId: string): void {
    const req = entry.txn.request
    if (!accepts100rel(req)) return session.reply(msgId, 'NOK|Remote endpoint does not support 100rel')
    const rseq = dialog.nextRseq++
    res.headers.push({ name: 'rseq', value: String(rseq) })
    const buf = serializeMessage(res)
    session.reply(msgId, `OK|${meta6('application', buf.length, entry.peer)}|${entry.txnId}|${dialogId}||Msg sent:|`, buf)
    const precious = res.body.length > 0
    const emit = (): void => {
      const txn = entry.txn as ServerInviteTransaction
      if (txn.state !== 'proceeding' || !dialog.awaitPrack({ rseq, inviteSeq: entry.seq, precious })) return
      txn.respond(buf, res.status).catch((err: Error) => this.ctx.logger.warn({ err, txnId: entry.txnId }, 'could not send response'))
      const { T1 } = this.ctx.timers
      let interval = T1
      const retransmit = (): void => {
        this.ctx.transport.sendQuietly(buf, entry.peer)
        interval *= 2
        dialog.timers.set('Rel1xx', interval, retransmit)
      }
      // like Timer G, only over UDP: a reliable transport loses nothing (PrackWait still runs)
      if (entry.peer.protocol === 'udp') dialog.timers.set('Rel1xx', interval, retransmit)
      dialog.timers.set('PrackWait', 64 * T1, () => this.prackTimeout(entry, dialog))
    }
    if (dialog.state === DialogState.EarlyAwaitingPrack) dialog.deferUntilPrack(emit)
    else emit()
  }

  /** RFC 3262 §3 / nta.c `reliable_timeout`: no PRACK in 64·T1 → 503 to the INVITE. */
  private prackTimeout(entry: ServerEntry, dialog: Dialog): void {
    const txn = entry.txn as ServerInviteTransaction
    this.ctx.dialogs.remove(dialog)
    entry.early = undefined
    if (txn.state !== 'proceeding') return
    const res = buildResponse(txn.request, 503, { reason: 'Reliable Response Time-Out', toTag: entry.toTag })
    if (entry.appTimer) clearTimeout(entry.appTimer)
    entry.appTimer = undefined
    txn.respond(res, 503).catch(() => {})
  }

  private buildAppResponse(req: SipRequest, msg: SipMessage & { kind: 'response' }, entry: ServerEntry): SipResponse {
    const hostport = this.local.hostport
    const res = buildResponse(req, msg.status, {
      reason: msg.reason,
      toTag: msg.status === 100 ? undefined : entry.toTag,
      headers: appHeaders(msg, ['via', 'from', 'to', 'call-id', 'cseq'], hostport),
      body: msg.body,
    })
    const wantsContact = (req.method === 'INVITE' || req.method === 'SUBSCRIBE' || req.method === 'UPDATE') && msg.status > 100 && msg.status < 300
    if (wantsContact && !hasHeader(res, 'contact')) res.headers.push({ name: 'contact', value: this.local.contact(entry.peer.protocol) })
    const ct = defaultContentType(msg)
    if (ct) res.headers.push({ name: 'content-type', value: ct })
    for (const h of res.headers) if (h.name === 'to') h.value = replaceLocalhost('to', withTag(h.value, msg.status === 100 ? undefined : entry.toTag), hostport)
    return res
  }

  private createUasDialog(entry: ServerEntry, res: SipResponse, state: DialogState): Dialog {
    const req = entry.txn.request
    const contact = getHeader(req, 'contact')
    const dialog = new Dialog({
      role: 'uas',
      callId: getHeader(req, 'call-id') ?? '',
      localTag: entry.toTag!,
      remoteTag: getTag(getHeader(req, 'from') ?? '') ?? '',
      local: getHeader(res, 'to') ?? '',
      remote: getHeader(req, 'from') ?? '',
      localSeq: initialCSeq(),
      remoteSeq: parseCSeq(getHeader(req, 'cseq') ?? '').seq,
      remoteTarget: contact ? parseNameAddr(contact).uri : req.uri,
      routeSet: getHeaders(req, 'record-route'), // §12.1.1: in order, for the UAS
      peer: entry.peer,
      owner: entry.session,
      inviteSeq: 0,
      state,
    })
    this.ctx.dialogs.add(dialog)
    return dialog
  }
}
