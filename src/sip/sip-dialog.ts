import type Srf from 'drachtio-srf'
import type { Logger } from 'pino'
import { LivecallError } from '../errors/index.js'
import { releaseRefusedReinvite } from './reinvite-slot.js'
import { sipRequestError } from './sip-errors.js'
import { viewOf, type SipMessageView } from './sip-message.js'

/**
 * An established INVITE dialog (RFC 3261 §12).
 *
 *   Confirmed ──hangup()──► Ending ──BYE answered──► Ended
 *       └──────── far end's BYE ─────────────────────┘
 */
export enum DialogState {
  Confirmed = 'confirmed',
  Ending = 'ending',
  Ended = 'ended',
}

/** How long hangup() waits for the BYE's response before it reports the dialog ended. */
const BYE_WAIT_MS = 1000

/** RFC 3261 §17.1.1.2 / §17.1.2.2: Timer B and F, 64·T1 */
const REQUEST_LIMIT_MS = 32_000

/**
 * How long a far end's offer waits for the call layer to take the dialog (onOffer). With
 * drachtio-server the caller's ACK and an immediate re-INVITE can arrive in the same read
 * as the echo of our 200 OK: the dialog exists before anyone has said how to answer.
 */
const HANDLER_WAIT_MS = 2000

/** Answers the far end's offer in a re-INVITE with our SDP; a throw answers 488. */
export type OfferHandler = (offerSdp: string) => Promise<string>

/**
 * The typed face of a drachtio-srf Dialog: nothing of srf reaches the call layer, every
 * srf promise is awaited or caught here (a BYE that crosses ours must never become an
 * unhandled rejection), and the dialog's life is one enum.
 */
export class SipDialog {
  private state = DialogState.Confirmed
  private offerHandler: OfferHandler | undefined
  private readonly handlerWaiters: Array<(handler: OfferHandler) => void> = []
  private readonly endedListeners: Array<(reason: string) => void> = []
  private readonly requestListeners: Array<(req: SipMessageView) => void> = []
  readonly ended: Promise<string>
  private resolveEnded!: (reason: string) => void

  constructor(
    private readonly dialog: Srf.Dialog,
    private readonly logger: Logger,
  ) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve))
    dialog.on('destroy', (msg: Srf.SrfRequest) => this.farEndEnded(msg))
    dialog.on('modify', (req: Srf.SrfRequest, res: Srf.SrfResponse) => void this.answerReinvite(req, res))
    for (const method of ['info', 'notify', 'message', 'options'] as const) {
      ;(dialog as unknown as NodeJS.EventEmitter).on(method, (req: Srf.SrfRequest, res: Srf.SrfResponse) => {
        res.send(200)
        this.emitRequest(viewOf(req))
      })
    }
    // UPDATE without a body is a session refresh (RFC 3311); with an offer it is a renegotiation
    dialog.on('update', (req: Srf.SrfRequest, res: Srf.SrfResponse) => void this.answerReinvite(req, res))
  }

  get callId(): string {
    return this.dialog.sip.callId
  }

  get remoteSdp(): string {
    return this.dialog.remote.sdp
  }

  get localSdp(): string {
    return this.dialog.local.sdp
  }

  get current(): DialogState {
    return this.state
  }

  /**
   * Who answers the far end's re-INVITE / UPDATE offers. An offer that came first waits for
   * it (HANDLER_WAIT_MS); without one by then, our current SDP is sent back.
   */
  onOffer(handler: OfferHandler): void {
    this.offerHandler = handler
    for (const w of this.handlerWaiters.splice(0)) w(handler)
  }

  private offerHandlerSoon(): Promise<OfferHandler | undefined> {
    if (this.offerHandler) return Promise.resolve(this.offerHandler)
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), HANDLER_WAIT_MS)
      timer.unref()
      this.handlerWaiters.push((handler) => {
        clearTimeout(timer)
        resolve(handler)
      })
    })
  }

  /**
   * The dialog ended, by the far end's BYE (reason 'far-end') or by ours ('local'). A
   * listener added after the end (a BYE read together with the echo of our 200, before the
   * call layer took the dialog) still hears it, on the next microtask.
   */
  onEnded(listener: (reason: string) => void): void {
    if (this.state !== DialogState.Ended) {
      this.endedListeners.push(listener)
      return
    }
    void this.ended.then((reason) => {
      try {
        listener(reason)
      } catch (err) {
        this.logger.error({ err, callId: this.callId }, 'dialog ended listener threw')
      }
    })
  }

  /** An in-dialog INFO / NOTIFY / MESSAGE / OPTIONS from the far end (already answered 200). */
  onRequest(listener: (req: SipMessageView) => void): void {
    this.requestListeners.push(listener)
  }

  /** Send BYE (RFC 3261 §15.1.1). Idempotent; never rejects: a crossing BYE or a dead transport is logged. */
  async hangup(headers: Record<string, string> = {}): Promise<void> {
    if (this.state !== DialogState.Confirmed) return this.ended.then(() => undefined)
    this.state = DialogState.Ending
    // srf's destroy() returns a promise without a callback (its typings say void)
    const answered = Promise.resolve(this.dialog.destroy({ headers }) as unknown as Promise<unknown>).then(
      () => undefined,
      (err: unknown) => this.logger.debug({ err: (err as Error).message, callId: this.callId }, 'BYE failed (dialog already gone)'),
    )
    // the BYE is out once the server took it; a far end that never answers it must not
    // hold the caller (a control request, the app) for Timer F's 32 s
    await Promise.race([answered, new Promise((r) => setTimeout(r, BYE_WAIT_MS).unref())])
    this.finish('local')
  }

  /** Send a re-INVITE with `sdp` (RFC 3261 §14.1) and return the far end's answer. */
  async reinvite(sdp: string): Promise<string> {
    this.assertUp('re-INVITE')
    const before = this.dialog.local.sdp
    try {
      return await this.untilEnded('re-INVITE', this.dialog.modify(sdp))
    } catch (err) {
      releaseRefusedReinvite(this.dialog, err, before)
      throw err instanceof LivecallError ? err : sipRequestError('re-INVITE', err)
    }
  }

  /** Send an in-dialog request (INFO, NOTIFY, MESSAGE, …) and return the far end's final response. */
  async request(method: Srf.SipMethod, opts: { headers?: Record<string, string>; body?: string } = {}): Promise<SipMessageView> {
    this.assertUp(method)
    try {
      const res = await this.untilEnded(method, this.dialog.request({ method, headers: opts.headers ?? {}, body: opts.body } as unknown as Srf.SrfRequest))
      return viewOf(res)
    } catch (err) {
      throw err instanceof LivecallError ? err : sipRequestError(method, err)
    }
  }

  /**
   * A request in the dialog settles when its final response comes, or when the dialog
   * ends first (a BYE crossing our re-INVITE), or after RFC 3261's Timer B/F (64·T1 =
   * 32 s) at the latest: whoever waits on it (a control request) always gets an answer.
   */
  private untilEnded<T>(what: string, pending: Promise<T>): Promise<T> {
    pending.catch(() => undefined) // settled after we stopped waiting: nobody is left to tell
    let timer: NodeJS.Timeout | undefined
    const gone = new Promise<never>((_, reject) => {
      void this.ended.then(() => reject(new LivecallError('LIVECALL_ERR_SIP_DIALOG_GONE', `${what} abandoned: the dialog ended`)))
      timer = setTimeout(() => reject(sipRequestError(what, { status: 408, reason: 'no final response within 32 s' })), REQUEST_LIMIT_MS)
      timer.unref()
    })
    gone.catch(() => undefined)
    return Promise.race([pending, gone]).finally(() => clearTimeout(timer))
  }

  private assertUp(what: string): void {
    if (this.state !== DialogState.Confirmed) {
      throw new LivecallError('LIVECALL_ERR_SIP_DIALOG_GONE', `cannot send ${what}: the dialog has ended`)
    }
  }

  private farEndEnded(_msg: Srf.SrfRequest): void {
    this.finish('far-end')
  }

  private finish(reason: string): void {
    if (this.state === DialogState.Ended) return
    this.state = DialogState.Ended
    this.resolveEnded(reason)
    for (const l of this.endedListeners.splice(0)) {
      try {
        l(reason)
      } catch (err) {
        this.logger.error({ err, callId: this.callId }, 'dialog ended listener threw')
      }
    }
    this.requestListeners.length = 0
  }

  private emitRequest(req: SipMessageView): void {
    for (const l of this.requestListeners) {
      try {
        l(req)
      } catch (err) {
        this.logger.error({ err, callId: this.callId }, 'in-dialog request listener threw')
      }
    }
  }

  /** RFC 3261 §14.2: answer the offer, or 488 when we cannot (the session stays as it was). */
  private async answerReinvite(req: Srf.SrfRequest, res: Srf.SrfResponse): Promise<void> {
    const offer = req.body ?? ''
    try {
      const handler = offer ? await this.offerHandlerSoon() : undefined
      if (!handler) {
        res.send(200, { body: this.dialog.local.sdp, headers: { 'Content-Type': 'application/sdp' } })
        return
      }
      const answer = await handler(offer)
      this.dialog.local.sdp = answer
      res.send(200, { body: answer, headers: { 'Content-Type': 'application/sdp' } })
    } catch (err) {
      this.logger.info({ err: (err as Error).message, callId: this.callId }, 're-INVITE offer refused (488)')
      try {
        res.send(488)
      } catch {
        /* transaction already gone */
      }
    }
  }
}
