import { getHeader, getHeaders, getTag, parseCSeq, parseNameAddr, type SipRequest, type SipResponse } from '../message/index.js'
import { Dialog, DialogState, dialogIdOf } from '../dialog/dialog.js'
import { Subscription, SubscriptionState } from '../dialog/subscription.js'
import type { Peer } from '../transport/peer.js'
import type { AppSession } from '../wire/app-session.js'
import type { ClientEntry } from './client-entries.js'
import type { CoreContext } from './core-context.js'
import type { ServerEntry } from './server-entries.js'
import { declinesReferSub, expiresHeader, parseEvent, parseSubscriptionState, type EventName } from './subscription-headers.js'
import { initialCSeq } from './tags.js'

/**
 * How long a subscription lasts when neither the 2xx nor the request says (RFC 6665 §4.1.2.1
 * leaves the default to the event package; 3600 s is the one most packages define, e.g.
 * RFC 3856 presence and RFC 3842 message-summary). Also a REFER's implicit subscription
 * until its first NOTIFY gives `expires=` (RFC 3515 §2.4.4 leaves it to the notifier).
 */
export const DEFAULT_SUBSCRIPTION_S = 3600

/**
 * SUBSCRIBE/NOTIFY dialogs (RFC 6665) and REFER's implicit subscription (RFC 3515) as
 * drachtio-server keeps them, plus their expiry:
 * - a 2xx to a SUBSCRIBE creates the dialog, either way (sip-dialog-controller.cpp
 *   `doRespondToSipRequest` "adding dialog for subscribe", `processResponseOutsideDialog`),
 *   and every response to our SUBSCRIBE reaches the app with its dialog id;
 * - a NOTIFY with `Subscription-State: terminated` ends a subscription dialog: at once when
 *   received (`processRequestInsideDialog`), at its response when the app sent it
 *   (`doSendRequestInsideDialog`, `clearDialogOnResponse`); an INVITE dialog stays;
 * - a NOTIFY for our SUBSCRIBE that overtakes its 2xx is routed as a new request
 *   (`processRequestInsideDialog`, "routing as out-of-dialog").
 * The engine also keeps REFER subscriptions (in INVITE dialogs, and in a dialog of their
 * own for a REFER outside one, RFC 3515 §2.4.4; none when the 2xx says `Refer-Sub: false`,
 * RFC 4488) and ends subscriptions that expire unrefreshed (RFC 6665 §4.1.2.1, §4.1.3 `timeout`),
 * which drachtio-server leaves to the app.
 */
export class Subscriptions {
  /** `Call-ID|From tag` of our SUBSCRIBEs and REFERs outside a dialog awaiting their final response */
  private readonly awaiting = new Set<string>()

  constructor(
    private readonly ctx: CoreContext,
    /** how long after expiry a subscription is ended (the final NOTIFY may be on its way) */
    private readonly graceMs: number,
  ) {}

  // ── as notifier: requests from the network, the app's responses ────────────────

  /**
   * The app answers a SUBSCRIBE or REFER (`entry.dialog` set when in a dialog): a 2xx
   * creates the dialog and its subscription, or refreshes / adds one. Returns the dialog
   * the response belongs to (its id goes in the echo, §A.4).
   */
  onResponseSent(entry: ServerEntry, res: SipResponse): Dialog | undefined {
    const req = entry.txn.request
    if (res.status < 200 || res.status >= 300) return entry.dialog
    if (req.method !== 'SUBSCRIBE' && req.method !== 'REFER') return entry.dialog
    const ev = this.eventOf(req)
    if (!ev || (req.method === 'REFER' && declinesReferSub(res))) return entry.dialog
    const expires = this.expiresOf(req, res)
    const dialog = entry.dialog ?? this.createDialog('uas', req, res, entry.peer, entry.session)
    this.subscribe(dialog, ev, expires)
    return dialog
  }

  /** A NOTIFY from the network in `dialog`: its subscription follows `Subscription-State`. */
  onNotifyReceived(dialog: Dialog, req: SipRequest): void {
    const ss = parseSubscriptionState(req)
    const ev = parseEvent(req)
    const sub = ev ? dialog.subscriptions.find(ev.type, ev.id) : undefined
    if (!ss || !sub) return
    if (ss.substate === 'terminated') return this.end(dialog, sub)
    if (ss.substate === 'active') sub.notified(SubscriptionState.Active)
    else if (ss.substate === 'pending') sub.notified(SubscriptionState.Pending)
    if (ss.expires !== undefined) sub.expiresIn(ss.expires)
  }

  /** RFC 6665 §4.1.2.4: is this NOTIFY (Call-ID, To tag) for a SUBSCRIBE/REFER of ours still without a 2xx? */
  awaitingFinal(callId: string, toTag: string): boolean {
    return this.awaiting.has(`${callId}|${toTag}`)
  }

  // ── as subscriber or notifier: the app's requests and their responses ──────────

  /** A request of the app goes out (`dialog` set when in a dialog). */
  onRequestSent(req: SipRequest, dialog?: Dialog): void {
    if (!dialog && (req.method === 'SUBSCRIBE' || req.method === 'REFER')) this.awaiting.add(awaitKey(req))
    if (!dialog || req.method !== 'NOTIFY') return
    const ss = parseSubscriptionState(req)
    const ev = parseEvent(req)
    const sub = ev ? dialog.subscriptions.find(ev.type, ev.id) : undefined
    if (!ss || !sub) return
    if (ss.substate === 'terminated') sub.finalNotifySent()
    else if (ss.substate === 'active') sub.notified(SubscriptionState.Active)
    else if (ss.substate === 'pending') sub.notified(SubscriptionState.Pending)
    if (ss.substate !== 'terminated' && ss.expires !== undefined) sub.expiresIn(ss.expires)
  }

  /**
   * A response (received or synthesized) to a request of the app. Returns the dialog id it
   * reaches the app with when this module decides it: every response to a SUBSCRIBE outside
   * a dialog carries one, as drachtio-server's do; a 2xx to a REFER outside one, its new dialog's.
   */
  onResponseReceived(entry: ClientEntry, res: SipResponse): string | undefined {
    const req = entry.txn.request
    const method = entry.method
    if (res.status >= 200 && !entry.dialog && (method === 'SUBSCRIBE' || method === 'REFER')) this.awaiting.delete(awaitKey(req))
    if (method === 'NOTIFY' && entry.dialog && res.status >= 200) {
      const ev = parseEvent(req)
      const sub = ev ? entry.dialog.subscriptions.find(ev.type, ev.id) : undefined
      if (sub?.state === SubscriptionState.Terminating) this.end(entry.dialog, sub)
      return undefined
    }
    if (method !== 'SUBSCRIBE' && method !== 'REFER') return undefined
    const early = method === 'SUBSCRIBE' && !entry.dialog
      ? dialogIdOf(getHeader(req, 'call-id') ?? '', getTag(getHeader(req, 'from') ?? '') ?? '')
      : undefined
    if (res.status < 200 || res.status >= 300) return early
    const ev = this.eventOf(req)
    if (!ev || (method === 'REFER' && declinesReferSub(res))) return early
    const dialog = entry.dialog ?? this.createDialog('uac', req, res, entry.peer, entry.session)
    entry.dialog = dialog
    this.subscribe(dialog, ev, this.expiresOf(req, res))
    return dialog.id
  }

  /** Subscriptions held now (for `counts()`). */
  count(): number {
    let n = 0
    for (const d of this.ctx.dialogs.all()) n += d.subscriptions.size
    return n
  }

  // ── the subscriptions themselves ─────────────────────────────────────────────

  /** A 2xx to a SUBSCRIBE or REFER: refresh the subscription it names, or add it. */
  private subscribe(dialog: Dialog, ev: EventName, expires: number): void {
    if (dialog.state === DialogState.Terminated) return
    const existing = ev.type === 'refer' ? undefined : dialog.subscriptions.find(ev.type, ev.id)
    if (existing) return existing.expiresIn(expires)
    dialog.subscriptions.add(new Subscription(ev.type, ev.id, expires, this.graceMs, (s) => {
      this.ctx.logger.info({ dialog: dialog.id, event: s.eventType }, 'subscription expired without a refresh or final NOTIFY')
      this.end(dialog, s)
    }))
  }

  /** `sub` is over; a dialog that lived for its subscriptions goes with the last one. */
  private end(dialog: Dialog, sub: Subscription): void {
    const left = dialog.subscriptions.end(sub)
    if (left === 0 && dialog.state === DialogState.Subscribed) this.ctx.dialogs.remove(dialog)
  }

  /** SUBSCRIBE: its Event; REFER: `refer` with the REFER's CSeq as id (RFC 3515 §2.4.6). */
  private eventOf(req: SipRequest): EventName | undefined {
    if (req.method === 'REFER') return { type: 'refer', id: String(parseCSeq(getHeader(req, 'cseq') ?? '').seq) }
    return parseEvent(req)
  }

  /** RFC 6665 §4.2.1.1: the 2xx's Expires is the duration; else the request's; else the default. */
  private expiresOf(req: SipRequest, res: SipResponse): number {
    return expiresHeader(res) ?? (req.method === 'SUBSCRIBE' ? expiresHeader(req) : undefined) ?? DEFAULT_SUBSCRIPTION_S
  }

  /** The dialog a 2xx to a SUBSCRIBE or REFER outside a dialog creates (RFC 3261 §12.1). */
  private createDialog(role: 'uac' | 'uas', req: SipRequest, res: SipResponse, peer: Peer, owner: AppSession): Dialog {
    const uac = role === 'uac'
    const contact = getHeader(uac ? res : req, 'contact')
    const seq = parseCSeq(getHeader(req, 'cseq') ?? '').seq
    const dialog = new Dialog({
      role,
      callId: getHeader(req, 'call-id') ?? '',
      localTag: getTag(getHeader(uac ? req : res, uac ? 'from' : 'to') ?? '') ?? '',
      remoteTag: getTag(getHeader(uac ? res : req, uac ? 'to' : 'from') ?? '') ?? '',
      local: getHeader(uac ? req : res, uac ? 'from' : 'to') ?? '',
      remote: getHeader(uac ? res : req, uac ? 'to' : 'from') ?? '',
      localSeq: uac ? seq : initialCSeq(),
      remoteSeq: uac ? undefined : seq,
      remoteTarget: contact ? parseNameAddr(contact).uri : req.uri,
      // RFC 3261 §12.1.1 (uas: in order) and §12.1.2 (uac: reversed)
      routeSet: uac ? getHeaders(res, 'record-route').reverse() : getHeaders(req, 'record-route'),
      peer,
      owner,
      inviteSeq: 0,
      state: DialogState.Subscribed,
    })
    this.ctx.dialogs.add(dialog)
    return dialog
  }
}

function awaitKey(req: SipRequest): string {
  return `${getHeader(req, 'call-id') ?? ''}|${getTag(getHeader(req, 'from') ?? '') ?? ''}`
}
