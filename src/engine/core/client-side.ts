import { randomUUID } from 'node:crypto'
import {
  getHeader,
  getHeaders,
  getTag,
  parseCSeq,
  parseNameAddr,
  serializeMessage,
  type SipHeader,
  type SipRequest,
  type SipResponse,
} from '../message/index.js'
import { Dialog, DialogState, dialogIdOf } from '../dialog/dialog.js'
import type { ClientTransactionUser } from '../transaction/client-transaction-user.js'
import { ClientInviteTransaction } from '../transaction/client-invite-transaction.js'
import { newBranch } from '../transaction/transaction-keys.js'
import type { Peer } from '../transport/peer.js'
import type { AppSession } from '../wire/app-session.js'
import { meta6 } from '../wire/wire-meta.js'
import { notifyApp } from './app-notify.js'
import { buildResponse } from './build-response.js'
import { CdrWriter } from './cdr.js'
import type { ClientEntry } from './client-entries.js'
import type { CoreContext } from './core-context.js'
import { inDialogRequest } from './in-dialog-request.js'
import { appHeaders, defaultContentType, hasHeader, replaceLocalhost } from './header-rules.js'
import type { LocalAddress } from './local-address.js'
import { resolveTarget, targetUri } from './resolve-target.js'
import type { TargetFailover } from './target-failover.js'
import { TargetList } from '../dns/target-list.js'
import { isLiteralHost } from '../dns/uri-transport.js'
import type { SipUri } from '../message/index.js'
import type { Subscriptions } from './subscriptions.js'
import { initialCSeq, newCallId, newTag } from './tags.js'

const DIALOG_BUILT = ['via', 'from', 'to', 'call-id', 'cseq', 'max-forwards']
/** for the engine's own requests (CANCEL, its BYEs): nobody above waits for the answer */
const IGNORE_RESPONSES: ClientTransactionUser = { onResponse() {}, onTimeout() {}, onTransportError() {} }
const TARGET_REFRESH = new Set(['INVITE', 'UPDATE', 'SUBSCRIBE', 'NOTIFY', 'REFER'])

/**
 * Requests the apps send and the responses to them: drachtio-server's UAC behaviour
 * (drachtio-protocol.md §A.4, §A.6): request building (Via, tags, Call-ID, CSeq, Contact,
 * `@localhost`), in-dialog requests from the dialog, CANCEL, ACK for 2xx on request and
 * again on every 2xx retransmission, 408/503 synthesis.
 */
export class ClientSide {
  private readonly cdr: CdrWriter

  constructor(
    private readonly ctx: CoreContext,
    private readonly local: LocalAddress,
    private readonly subs: Subscriptions,
  ) {
    this.cdr = new CdrWriter(ctx.wire)
  }

  onAppRequest(session: AppSession, msgId: string, txnId: string, dialogId: string, routeUrl: string, msg: SipRequest): void {
    if (dialogId) return this.inDialog(session, msgId, dialogId, msg)
    if (txnId && msg.method === 'CANCEL') return this.cancel(session, msgId, txnId)
    const callId = getHeader(msg, 'call-id')
    const existing = callId ? this.ctx.dialogs.hasCallId(callId) : undefined
    if (existing && existing.owner === session) return this.inDialog(session, msgId, existing.id, msg) // §A.4 special case
    this.outOfDialog(session, msgId, routeUrl, msg)
  }

  // ── new out-of-dialog requests ──────────────────────────────────────────────

  private outOfDialog(session: AppSession, msgId: string, routeUrl: string, msg: SipRequest): void {
    let uri: SipUri
    try {
      uri = targetUri(routeUrl || msg.uri)
    } catch {
      return session.reply(msgId, `NOK|invalid request-uri ${msg.uri}`)
    }
    // a literal address goes as it is; a name through RFC 3263 (NAPTR, SRV, A/AAAA)
    if (isLiteralHost(uri.host)) return this.outOfDialogTo(session, msgId, routeUrl, msg, [resolveTarget(routeUrl || msg.uri)])
    this.ctx.targets.resolve(uri).then(
      (targets) => this.outOfDialogTo(session, msgId, routeUrl, msg, targets),
      (err: Error) => {
        this.ctx.logger.info({ err: err.message, host: uri.host }, 'DNS resolution failed')
        this.outOfDialogTo(session, msgId, routeUrl, msg, [])
      },
    )
  }

  /** A new request to the first of `targets` (none: the name did not resolve, 503 DNS Error). */
  private outOfDialogTo(session: AppSession, msgId: string, routeUrl: string, msg: SipRequest, targets: Peer[]): void {
    if (session.state === 'closed') return
    const usable = targets.filter((t) => !this.local.isSelf(t.address, t.port))
    if (targets.length > 0 && usable.length === 0) return session.reply(msgId, 'NOK|can not send request to myself')
    const ct = defaultContentType(msg)
    if (msg.body.length > 0 && !ct && !hasHeader(msg, 'content-type')) return session.reply(msgId, 'NOK|missing content-type')
    const build = this.requestBuilder(routeUrl, msg, ct)
    if (usable.length === 0) return this.dnsFailure(session, msgId, build({ protocol: 'udp', address: targetUri(routeUrl || msg.uri).host, port: 5060 }))
    const list = new TargetList(usable)
    const dest = list.current
    const req = build(dest)
    this.subs.onRequestSent(req)
    this.start(session, msgId, req, dest, undefined, undefined, usable.length > 1 ? { list, build, provisional: false } : undefined)
  }

  /**
   * How the app's new request looks for a given target: From tag, Call-ID and CSeq fixed
   * once, Via (new branch) and our Contact for the target's transport (RFC 3263 §4.3).
   */
  private requestBuilder(routeUrl: string, msg: SipRequest, ct: string | undefined): (dest: Peer) => SipRequest {
    const hostport = this.local.hostport
    const from = replaceLocalhost('from', getHeader(msg, 'from') ?? `<sip:${hostport}>`, hostport)
    const fixed = {
      from: getTag(from) === undefined ? `${from};tag=${newTag()}` : from,
      callId: getHeader(msg, 'call-id') ?? newCallId(),
      cseq: getHeader(msg, 'cseq') ?? `${initialCSeq()} ${msg.method}`,
    }
    return (dest) => this.buildOutOfDialog(routeUrl, msg, ct, dest, fixed)
  }

  private buildOutOfDialog(routeUrl: string, msg: SipRequest, ct: string | undefined, dest: Peer, fixed: { from: string; callId: string; cseq: string }): SipRequest {
    const hostport = this.local.hostport
    const headers: SipHeader[] = [{ name: 'via', value: this.local.via(dest.protocol, newBranch()) }]
    const maxForwards = getHeader(msg, 'max-forwards') ?? '70'
    headers.push({ name: 'max-forwards', value: maxForwards })
    headers.push({ name: 'from', value: fixed.from })
    headers.push({ name: 'to', value: replaceLocalhost('to', getHeader(msg, 'to') ?? `<${msg.uri}>`, hostport) })
    headers.push({ name: 'call-id', value: fixed.callId })
    headers.push({ name: 'cseq', value: fixed.cseq })
    if (routeUrl) headers.push({ name: 'route', value: `<${routeUrl.replace(/^<|>$/g, '')};lr>` })
    headers.push(...appHeaders(msg, DIALOG_BUILT, hostport))
    if (['INVITE', 'SUBSCRIBE', 'REFER'].includes(msg.method) && !hasHeader(msg, 'contact')) {
      headers.push({ name: 'contact', value: this.local.contact(dest.protocol) })
    }
    if (ct) headers.push({ name: 'content-type', value: ct })
    return { kind: 'request', method: msg.method, uri: msg.uri, headers, body: msg.body }
  }

  /**
   * The name led nowhere (or DNS failed): the app gets its echo, then a 503 "DNS Error",
   * sofia's answer when resolution fails (SIPDNS_503_ERROR).
   */
  private dnsFailure(session: AppSession, msgId: string, req: SipRequest): void {
    const txnId = randomUUID()
    const dest: Peer = { protocol: 'udp', address: targetUri(req.uri).host, port: 5060 }
    const buf = serializeMessage(req)
    session.reply(msgId, `OK|${meta6('application', buf.length, dest)}|${txnId}|Msg sent:|`, buf)
    const res = serializeMessage(buildResponse(req, 503, { reason: 'DNS Error', toTag: newTag() }))
    const isInvite = req.method === 'INVITE'
    if (isInvite) this.cdr.attempt('application', buf)
    if (isInvite) this.cdr.stop('network', 'call-rejected', res)
    const dialogId = isInvite ? dialogIdOf(getHeader(req, 'call-id') ?? '', getTag(getHeader(req, 'from') ?? '') ?? '') : ''
    notifyApp(session, res, dest, txnId, dialogId)
  }

  // ── in-dialog requests (RFC 3261 §12.2.1.1) ────────────────────────────────

  private inDialog(session: AppSession, msgId: string, dialogId: string, msg: SipRequest): void {
    const dialog = this.ctx.dialogs.get(dialogId)
    if (!dialog || dialog.owner !== session) {
      // drachtio-server answers an ACK for any dialog it does not hold so (§A.9.7,
      // sip-dialog-controller.cpp `doSendRequestInsideDialog`): srf ACKs every final
      // response to its INVITE, also the non-2xx ones the stack has ACKed already
      if (msg.method === 'ACK') {
        return session.reply(msgId, 'NOK|Server error: ACK for non-success final response is automatically generated by server')
      }
      return session.reply(msgId, 'NOK|Server error: unable to find dialog for dialog id provided')
    }
    if (msg.method === 'ACK') return this.ackFor2xx(session, msgId, dialog, msg)
    const hostport = this.local.hostport
    const seq = ++dialog.localSeq
    if (msg.method === 'INVITE') dialog.inviteSeq = seq
    const dest = this.dialogDestination(dialog)
    const extra = appHeaders(msg, DIALOG_BUILT, hostport)
    if (TARGET_REFRESH.has(msg.method) && !hasHeader(msg, 'contact')) extra.push({ name: 'contact', value: this.local.contact(dest.protocol) })
    const ct = defaultContentType(msg)
    if (ct) extra.push({ name: 'content-type', value: ct })
    // `sip:placeholder` from srf: the Request-URI is the remote target (§A.4, §A.9.14).
    const req = inDialogRequest(dialog, this.local, dest, msg.method, seq, extra, msg.body)
    this.subs.onRequestSent(req, dialog)
    // RFC 3261 §15: no BYE before the ACK of our 2xx; the app gets its echo now, the wire
    // sees the BYE once the ACK is in (or has timed out).
    const holdForAck = msg.method === 'BYE' && dialog.awaitingAckTxnId !== undefined
    // the BYE again with credentials after a 401/407 (srf's DigestClient) ends the same call
    const firstBye = msg.method === 'BYE' && !dialog.terminating
    if (msg.method === 'BYE' && !holdForAck) this.byeOut(dialog)
    const sent = this.start(session, msgId, req, dest, dialog, holdForAck ? (send) => dialog.deferUntilAck(() => {
      this.byeOut(dialog)
      send()
    }) : undefined)
    if (firstBye) this.cdr.stop('application', 'normal-release', sent)
  }

  /** Our BYE goes out: the dialog waits for its final response (or, if it cannot, ends now). */
  private byeOut(dialog: Dialog): void {
    if (!dialog.byeSent()) this.ctx.dialogs.remove(dialog)
  }

  /**
   * The final response to our BYE ends the dialog, except a 401/407: drachtio-server keeps
   * the dialog then (sip-dialog-controller.cpp `processResponseInsideDialog`), so that the
   * app can send the BYE again with credentials (srf's DigestClient). It waits 64·T1 for that.
   */
  private byeAnswered(dialog: Dialog, status: number): void {
    if ((status === 401 || status === 407) && dialog.terminating) {
      dialog.timers.set('ByeRetry', 64 * this.ctx.timers.T1, () => this.ctx.dialogs.remove(dialog))
    } else {
      this.ctx.dialogs.remove(dialog)
    }
  }

  /** The dialog's next hop: first Route, else the remote target; TCP and TLS reuse the dialog's connection. */
  private dialogDestination(dialog: Dialog): Peer {
    const target = resolveTarget(dialog.routeSet[0] ?? dialog.remoteTarget, dialog.peer.protocol)
    if (dialog.peer.protocol !== 'udp' && target.protocol === dialog.peer.protocol && dialog.peer.connection && !dialog.peer.connection.destroyed) {
      return { ...target, connection: dialog.peer.connection }
    }
    // §A.6 NAT heuristic: a UAS dialog over UDP without Record-Route whose Contact is not the
    // packet source is reached at the source.
    if (dialog.role === 'uas' && dialog.routeSet.length === 0 && dialog.peer.protocol === 'udp' && target.protocol === 'udp') {
      return dialog.peer
    }
    return target
  }

  /** ACK for a 2xx, sent when the app asks; it reuses the INVITE's CSeq number (§A.4). */
  private ackFor2xx(session: AppSession, msgId: string, dialog: Dialog, msg: SipRequest): void {
    const dest = this.dialogDestination(dialog)
    const extra = appHeaders(msg, DIALOG_BUILT, this.local.hostport)
    const ct = defaultContentType(msg)
    if (ct) extra.push({ name: 'content-type', value: ct })
    const req = inDialogRequest(dialog, this.local, dest, 'ACK', dialog.inviteSeq, extra, msg.body)
    const buf = serializeMessage(req)
    dialog.lastAck = buf
    session.reply(msgId, `OK|${meta6('application', buf.length, dest)}|${randomUUID()}|Msg sent:|`, buf)
    this.ctx.transport.sendQuietly(buf, dest)
  }

  // ── CANCEL of our INVITE (§A.4) ─────────────────────────────────────────────

  private cancel(session: AppSession, msgId: string, txnId: string): void {
    const entry = this.ctx.client.get(txnId)
    if (!entry || !(entry.txn instanceof ClientInviteTransaction) || !entry.txn.pending) {
      return session.reply(msgId, 'NOK|unknown transaction or final response already received')
    }
    const invite = entry.txn.request
    const cancel: SipRequest = {
      kind: 'request',
      method: 'CANCEL',
      uri: invite.uri,
      headers: [
        { name: 'via', value: getHeader(invite, 'via')! },
        { name: 'max-forwards', value: '70' },
        { name: 'from', value: getHeader(invite, 'from')! },
        { name: 'to', value: getHeader(invite, 'to')! },
        { name: 'call-id', value: getHeader(invite, 'call-id')! },
        { name: 'cseq', value: `${parseCSeq(getHeader(invite, 'cseq')!).seq} CANCEL` },
        ...getHeaders(invite, 'route').map((r) => ({ name: 'route', value: r })),
      ],
      body: Buffer.alloc(0),
    }
    const buf = serializeMessage(cancel)
    session.reply(msgId, `OK|${meta6('application', buf.length, entry.peer)}|${randomUUID()}|Msg sent:|`, buf)
    // RFC 3261 §9.1: no CANCEL before a provisional response arrived.
    if (entry.txn.provisionalReceived) this.sendCancel(entry, cancel)
    else entry.pendingCancel = cancel
  }

  private sendCancel(entry: ClientEntry, cancel: SipRequest): void {
    entry.pendingCancel = undefined
    // The 200 to the CANCEL is never passed up (§A.4).
    void this.ctx.txns.createClient(cancel, entry.peer, IGNORE_RESPONSES).start()
  }

  // ── sending, and the responses ──────────────────────────────────────────────

  private start(session: AppSession, msgId: string, req: SipRequest, dest: Peer, dialog?: Dialog, hold?: (send: () => void) => void, failover?: TargetFailover): Buffer {
    const txnId = randomUUID()
    const entryRef: { e?: ClientEntry } = {}
    const tu: ClientTransactionUser = {
      onResponse: (res, raw, retransmission) => {
        if (failover && res.status < 200) failover.provisional = true
        // RFC 3263 §4.3: a 503 from this target → the next one (the ICT has ACKed it)
        if (res.status === 503 && this.failOver(entryRef.e!, tu)) return
        this.onResponse(entryRef.e!, res, raw, retransmission)
      },
      onTimeout: () => {
        if (!this.failOver(entryRef.e!, tu)) this.synthesize(entryRef.e!, 408)
      },
      onTransportError: (err) => {
        const peer = entryRef.e!.peer
        this.ctx.logger.info({ err: err.message, dest: `${peer.address}:${peer.port}` }, 'request could not be sent')
        if (!this.failOver(entryRef.e!, tu)) this.synthesize(entryRef.e!, 503)
      },
    }
    const txn = this.ctx.txns.createClient(req, dest, tu)
    const entry: ClientEntry = { txnId, txn, method: req.method, peer: dest, session, dialog, failover }
    entryRef.e = entry
    this.ctx.client.add(entry)
    const buf = serializeMessage(req)
    // The echo is written before the request goes out, so it precedes every response (§A.5).
    session.reply(msgId, `OK|${meta6('application', buf.length, dest)}|${txnId}|Msg sent:|`, buf)
    if (hold) hold(() => void txn.start(buf))
    else void txn.start(buf)
    if (req.method === 'INVITE' && !dialog) this.cdr.attempt('application', buf)
    return buf
  }

  /**
   * RFC 3263 §4.3: the current target timed out (Timer B/F), could not be reached, or
   * answered 503 — the same request goes to the next target in a new client transaction
   * (new branch), under the same txnId; the app sees only the final outcome. Not after a
   * provisional response or a CANCEL from the app. Returns whether it moved on.
   */
  private failOver(entry: ClientEntry, tu: ClientTransactionUser): boolean {
    const f = entry.failover
    if (!f || f.provisional || entry.pendingCancel || entry.dialog || entry.early) return false
    const dest = f.list.advance()
    if (!dest) return false
    const req = f.build(dest)
    this.ctx.logger.info({ from: `${entry.peer.protocol}/${entry.peer.address}:${entry.peer.port}`, to: `${dest.protocol}/${dest.address}:${dest.port}` }, 'trying the next target (RFC 3263 §4.3)')
    const txn = this.ctx.txns.createClient(req, dest, tu)
    entry.txn = txn
    entry.peer = dest
    this.ctx.client.add(entry)
    void txn.start()
    return true
  }

  private onResponse(entry: ClientEntry, res: SipResponse, raw: Buffer, retransmission: boolean): void {
    const isInvite = entry.method === 'INVITE'
    if (retransmission) {
      // §A.6: a retransmitted 2xx re-triggers the ACK without asking the app.
      const d = entry.dialog
      if (d?.lastAck) this.ctx.transport.sendQuietly(d.lastAck, this.dialogDestination(d))
      return
    }
    const status = res.status
    if (entry.method === 'BYE' && status >= 200 && entry.dialog) this.byeAnswered(entry.dialog, status)
    const initialInvite = isInvite && !entry.dialog
    if (entry.pendingCancel && status < 200) this.sendCancel(entry, entry.pendingCancel)
    else if (status >= 200) entry.pendingCancel = undefined
    let dialogId = entry.dialog?.id ?? ''
    if (isInvite) {
      const req = entry.txn.request
      const toTag = getTag(getHeader(res, 'to') ?? '')
      const fromTag = getTag(getHeader(req, 'from') ?? '') ?? ''
      const callId = getHeader(req, 'call-id') ?? ''
      // drachtio-server gives every response to a new INVITE (sofia passes none at 100) its
      // dialog id, To tag or not (sip-dialog-controller.cpp `processResponseOutsideDialog`):
      // srf's ACK for a non-2xx without a To tag then carries it and gets the NOK below
      if (toTag !== undefined || (initialInvite && status > 100)) dialogId = dialogIdOf(callId, fromTag)
      if (initialInvite && status > 100 && status < 200 && toTag !== undefined && hasHeader(res, 'rseq')) {
        if (!this.onReliableProvisional(entry, res, toTag)) return
      } else if (status >= 200 && status < 300) {
        if (!entry.dialog) entry.dialog = this.promoteOrCreate(entry, res, toTag)
        else this.refreshTarget(entry.dialog, res)
        entry.dialog.lastInviteFailed = false
      } else if (status >= 300) {
        this.dropEarly(entry)
        if (entry.dialog) entry.dialog.lastInviteFailed = true
      }
    }
    if (!isInvite) dialogId = this.subs.onResponseReceived(entry, res) ?? dialogId
    if (initialInvite && status >= 300) this.cdr.stop('network', status === 487 ? 'call-canceled' : 'call-rejected', raw)
    else if (initialInvite && status >= 200) this.cdr.start('network', 'uac', raw)
    notifyApp(entry.session, raw, entry.peer, entry.txnId, dialogId)
  }

  /**
   * A 1xx with RSeq to our INVITE (RFC 3262 §4): drachtio-server adds the UAC dialog here
   * (sip-dialog-controller.cpp `processResponseOutsideDialog`), so the app's PRACK (srf's
   * `ack()` on a reliable provisional, with its RAck) has a dialog to go in. A reliable 1xx
   * whose RSeq is not higher than the last is a retransmission: absorbed, not passed up.
   * Returns whether the app is to see it.
   */
  private onReliableProvisional(entry: ClientEntry, res: SipResponse, toTag: string): boolean {
    const rseq = Number(getHeader(res, 'rseq'))
    if (!entry.early) entry.early = this.createUacDialog(entry, res, DialogState.Early)
    const early = entry.early
    if (early.remoteTag !== toTag) return true // another fork: passed up, its PRACK has no dialog here
    if (rseq <= early.lastRemoteRseq) {
      this.ctx.stats.retransmissionsAbsorbed++
      return false
    }
    early.lastRemoteRseq = rseq
    return true
  }

  /** A 2xx to our initial INVITE: its early dialog is confirmed, or (another fork, none) a new one. */
  private promoteOrCreate(entry: ClientEntry, res: SipResponse, toTag: string | undefined): Dialog {
    const early = entry.early
    entry.early = undefined
    if (early && early.remoteTag === toTag && early.confirm()) {
      this.refreshTarget(early, res)
      return early
    }
    if (early) this.ctx.dialogs.remove(early)
    return this.createUacDialog(entry, res, DialogState.Confirmed)
  }

  private dropEarly(entry: ClientEntry): void {
    if (entry.early) this.ctx.dialogs.remove(entry.early)
    entry.early = undefined
  }

  private createUacDialog(entry: ClientEntry, res: SipResponse, state: DialogState): Dialog {
    const req = entry.txn.request
    const contact = getHeader(res, 'contact')
    const seq = parseCSeq(getHeader(req, 'cseq') ?? '').seq
    const dialog = new Dialog({
      role: 'uac',
      callId: getHeader(req, 'call-id') ?? '',
      localTag: getTag(getHeader(req, 'from') ?? '') ?? '',
      remoteTag: getTag(getHeader(res, 'to') ?? '') ?? '',
      local: getHeader(req, 'from') ?? '',
      remote: getHeader(res, 'to') ?? '',
      localSeq: seq,
      remoteTarget: contact ? parseNameAddr(contact).uri : req.uri,
      routeSet: getHeaders(res, 'record-route').reverse(), // §12.1.2: reversed for the UAC
      peer: entry.peer,
      owner: entry.session,
      inviteSeq: seq,
      state,
    })
    this.ctx.dialogs.add(dialog)
    return dialog
  }

  private refreshTarget(dialog: Dialog, res: SipResponse): void {
    const contact = getHeader(res, 'contact')
    if (contact && dialog.confirmed) dialog.remoteTarget = parseNameAddr(contact).uri
  }

  /** A response the engine makes up for the app: 408 on Timer B/F, 503 when unsendable, 487 after a CANCEL race. */
  private synthesize(entry: ClientEntry, status: number): void {
    this.dropEarly(entry)
    if (entry.method === 'BYE' && entry.dialog) this.byeAnswered(entry.dialog, status)
    const built = buildResponse(entry.txn.request, status, { toTag: status === 487 ? undefined : newTag() })
    const res = serializeMessage(built)
    if (entry.method === 'INVITE' && !entry.dialog) this.cdr.stop('network', status === 487 ? 'call-canceled' : 'call-rejected', res)
    // drachtio-server passes its synthesized responses to an INVITE with the dialog id too
    const req = entry.txn.request
    const subDialogId = entry.method === 'INVITE' ? undefined : this.subs.onResponseReceived(entry, built)
    const dialogId = subDialogId ?? entry.dialog?.id ??
      (entry.method === 'INVITE' ? dialogIdOf(getHeader(req, 'call-id') ?? '', getTag(getHeader(req, 'from') ?? '') ?? '') : '')
    notifyApp(entry.session, res, entry.peer, entry.txnId, dialogId)
  }

  /** A BYE the engine sends on its own, plus the `unsolicited` notification to the app (§A.3.4). */
  sendBye(dialog: Dialog, reason: string): void {
    this.ctx.dialogs.remove(dialog)
    const dest = this.dialogDestination(dialog)
    const reasonHeader = { name: 'reason', value: `SIP;text="${reason}"` }
    const bye = inDialogRequest(dialog, this.local, dest, 'BYE', ++dialog.localSeq, [reasonHeader])
    void this.ctx.txns.createClient(bye, dest, IGNORE_RESPONSES).start()
    const buf = serializeMessage(bye)
    notifyApp(dialog.owner, buf, dest, 'unsolicited', dialog.id, undefined, 'application')
    this.cdr.stop('application', 'system-initiated-termination', buf)
  }

  /** Engine shutdown: nothing of its own to stop (the transactions and dialogs are the context's). */
  close(): void {}
}
