import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { MediaEndpoint } from '../media/types.js'
import type { SipDialog } from '../sip/sip-dialog.js'
import { LivecallError } from '../errors/index.js'
import { CallState, canTransition, finalStateForSipStatus, isAnswered, isFinal } from './call-state.js'
import type { CallDescription, CallDirection, HookRef } from './call-description.js'
import { SerialQueue } from './serial-queue.js'
import { FarEndHold, PartyAudio } from './party-audio.js'
import { audioDirection, isHoldOffer } from '../sip/sdp-direction.js'
import type { Bridge } from './bridge.js'

export interface CallInit {
  sid?: string
  accountSid: string
  direction: CallDirection
  from: string
  to: string
  callerName?: string
  callId?: string
  parentCallSid?: string
  originatingSipIp?: string
  originatingSipPort?: number
  localSipAddress?: string
  sipHeaders?: Record<string, string>
  statusHook?: HookRef
  logger: Logger
}

export type StateListener = (call: Call, description: CallDescription) => void

/**
 * The not-yet-answered side of a leg: the inbound INVITE's server transaction, or the
 * outbound INVITE in flight. `abandon` rejects (inbound) or CANCELs (outbound).
 */
export interface PendingLeg {
  abandon(status: number, headers?: Record<string, string>, reasonPhrase?: string): void
  /** inbound only: send 200 OK with our SDP */
  answer?(): Promise<SipDialog>
  /** inbound only: 180, or 183 with our SDP for early media */
  ring?(early: boolean): void
}

/**
 * One SIP leg (SPEC §3): its dialog, its media endpoint, its state and its status hook.
 * `transition()` is the only way the state changes, and it reports every change.
 * `hangup()` is graceful and idempotent; `release()` frees the media and ends the
 * children (the close cascade: a parent's end ends what it dialed).
 */
export class Call {
  readonly sid: string
  readonly accountSid: string
  readonly direction: CallDirection
  readonly from: string
  readonly to: string
  readonly callerName: string
  readonly parentCallSid: string | undefined
  readonly originatingSipIp: string | undefined
  readonly originatingSipPort: number | undefined
  readonly localSipAddress: string | undefined
  readonly sipHeaders: Record<string, string>
  readonly logger: Logger
  /** commands on this call run one at a time */
  readonly commands = new SerialQueue()
  /** aborted when the call reaches a final state: every verb, prompt and timer of the call stops */
  private readonly life = new AbortController()
  readonly children = new Set<Call>()
  readonly createdAt = new Date()
  callId: string
  statusHook: HookRef | undefined
  /** the dial bridge this leg is part of, while it lasts */
  bridge: Bridge | undefined
  customerData: Record<string, unknown> | undefined
  private stateValue = CallState.Queued
  private sipStatusValue: number | null = null
  private sipReasonValue: string | null = null
  private endReason: string | undefined
  private answeredAt: Date | undefined
  private endedAt: Date | undefined
  private dialogValue: SipDialog | undefined
  private endpointValue: MediaEndpoint | undefined
  private audioValue: PartyAudio | undefined
  private pending: PendingLeg | undefined
  /** the 200 OK on its way: set while answer() waits for the SIP layer */
  private answering: Promise<void> | undefined
  private readonly stateListeners: StateListener[] = []
  private releasing: Promise<void> | undefined

  constructor(init: CallInit) {
    this.sid = init.sid ?? randomUUID()
    this.accountSid = init.accountSid
    this.direction = init.direction
    this.from = init.from
    this.to = init.to
    this.callerName = init.callerName ?? ''
    this.callId = init.callId ?? ''
    this.parentCallSid = init.parentCallSid
    this.originatingSipIp = init.originatingSipIp
    this.originatingSipPort = init.originatingSipPort
    this.localSipAddress = init.localSipAddress
    this.sipHeaders = init.sipHeaders ?? {}
    this.statusHook = init.statusHook
    this.logger = init.logger.child({ call_sid: this.sid })
  }

  get state(): CallState {
    return this.stateValue
  }

  get answered(): boolean {
    return isAnswered(this.stateValue)
  }

  get ended(): boolean {
    return isFinal(this.stateValue)
  }

  /** aborts when the call ends */
  get signal(): AbortSignal {
    return this.life.signal
  }

  get dialog(): SipDialog | undefined {
    return this.dialogValue
  }

  get endpoint(): MediaEndpoint | undefined {
    return this.endpointValue
  }

  /** the endpoint, or a 409 when the call has none (ended, or not set up yet) */
  requireEndpoint(): MediaEndpoint {
    if (!this.endpointValue || this.endpointValue.closed) {
      throw new LivecallError('LIVECALL_ERR_CALL_STATE', `call ${this.sid} has no media (${this.stateValue})`)
    }
    return this.endpointValue
  }

  onState(listener: StateListener): void {
    this.stateListeners.push(listener)
  }

  /**
   * The one guarded transition. Returns false (and changes nothing) when the move is not
   * allowed, e.g. a second final state. Every change is reported to the state listeners
   * (the status hook, metrics, the registry).
   */
  transition(next: CallState, sip?: { status?: number; reason?: string; endReason?: string }): boolean {
    if (!canTransition(this.stateValue, next)) return false
    this.stateValue = next
    if (sip?.status !== undefined) this.sipStatusValue = sip.status
    if (sip?.reason !== undefined) this.sipReasonValue = sip.reason
    if (sip?.endReason !== undefined) this.endReason = sip.endReason
    if (next === CallState.InProgress) this.answeredAt = new Date()
    if (isFinal(next)) {
      this.endedAt = new Date()
      this.pending = undefined
      this.life.abort()
      this.logger.info({ state: next, reason: this.endReason, sip_status: this.sipStatusValue }, 'call ended')
    }
    const description = this.describe()
    for (const l of this.stateListeners) {
      try {
        l(this, description)
      } catch (err) {
        this.logger.error({ err }, 'call state listener threw')
      }
    }
    if (isFinal(next)) void this.release()
    return true
  }

  /** The SIP dialog of the answered call; its far-end BYE completes the call. */
  attachDialog(dialog: SipDialog): void {
    this.dialogValue = dialog
    dialog.onOffer((offer) => this.answerOffer(offer))
    dialog.onEnded((reason) => {
      if (reason === 'far-end') this.transition(CallState.Completed, { endReason: 'far-end hangup' })
    })
  }

  /**
   * The call's media endpoint, once `MediaEngine.createEndpoint` resolved. Creating one takes
   * time (FreeSWITCH: an INVITE through drachtio-server and an event socket), and the call
   * can end meanwhile (a CANCEL, the parent of a dial ending, a ring timeout); release() then
   * found no endpoint to close. An endpoint that arrives after its call ended is closed here,
   * so it never outlives the call (it and its FreeSWITCH channel were left behind before).
   */
  attachEndpoint(endpoint: MediaEndpoint): void {
    if (this.ended) {
      this.logger.info({ endpoint: endpoint.id, state: this.stateValue }, 'media endpoint arrived after the call ended: closing it')
      void endpoint.close().catch((err: unknown) => this.logger.warn({ err }, 'endpoint close failed'))
      return
    }
    this.endpointValue = endpoint
    this.audioValue = new PartyAudio(endpoint)
    this.logger.debug({ endpoint: endpoint.id }, 'media endpoint attached')
    // RTP_TIMEOUT_S: an answered far end that stopped sending (and does not hold us) is
    // gone — a lost BYE must not leave the call, its dialog and its ports up forever
    endpoint.on('timeout', () => {
      if (!this.answered) return
      this.logger.info('no RTP from the far end: hanging up')
      void this.hangup({ reason: 'rtp timeout' })
    })
  }

  /** why this party is (not) heard by the other; undefined until the call has media */
  get audio(): PartyAudio | undefined {
    return this.audioValue
  }

  /**
   * The far end's re-INVITE (RFC 3261 §14.2): our endpoint answers its offer (sendonly →
   * recvonly, inactive → inactive, RFC 3264 §6.1) and stops sending to a party that holds
   * us; while it holds us, the other party of a dial hears silence from it.
   */
  private async answerOffer(offer: string): Promise<string> {
    const answer = await this.requireEndpoint().setRemoteSdp(offer)
    await this.audioValue?.setFarEndHold(isHoldOffer(audioDirection(offer)) ? FarEndHold.Held : FarEndHold.Active)
    return answer
  }

  setPending(leg: PendingLeg | undefined): void {
    this.pending = leg
  }

  /**
   * Answer an inbound call (200 OK with the endpoint's SDP). A no-op when already
   * answered; 409 when the call is outbound or has ended.
   */
  async answer(): Promise<void> {
    if (this.answered) return
    if (this.answering) return this.answering
    const answer = this.pending?.answer
    if (this.ended || !answer) throw new LivecallError('LIVECALL_ERR_CALL_STATE', `call ${this.sid} cannot be answered (${this.stateValue})`)
    this.answering = this.completeAnswer(answer).finally(() => (this.answering = undefined))
    return this.answering
  }

  /**
   * Resolves once an answer in progress has completed or failed (at once when none is).
   * With drachtio-server the caller can have the 200 OK before livecall hears it was sent:
   * a control request arriving in that window waits for it instead of finding the call
   * still `trying`.
   */
  async answerSettled(): Promise<void> {
    await this.answering?.catch(() => undefined)
  }

  private async completeAnswer(answer: () => Promise<SipDialog>): Promise<void> {
    const dialog = await answer()
    if (this.ended) {
      await dialog.hangup()
      throw new LivecallError('LIVECALL_ERR_CALL_ENDED', `call ${this.sid} ended while being answered`)
    }
    this.pending = undefined
    this.attachDialog(dialog)
    this.transition(CallState.InProgress, { status: 200, reason: 'OK' })
  }

  /** Inbound only: 180 Ringing, or 183 with early media. */
  ring(early = false): void {
    if (!this.pending?.ring || this.answered || this.ended) return
    this.pending.ring(early)
    this.transition(early ? CallState.EarlyMedia : CallState.Ringing, { status: early ? 183 : 180 })
  }

  /**
   * End the call whatever its state: BYE when answered, else reject / CANCEL through the
   * abandon function (default 480 Temporarily Unavailable for an inbound call). Resolves
   * once the BYE/CANCEL is sent and the call is final. Idempotent.
   */
  async hangup(opts: { status?: number; reason?: string; finalState?: CallState; headers?: Record<string, string>; reasonPhrase?: string } = {}): Promise<void> {
    if (this.ended) return this.release()
    if (this.answered) {
      const dialog = this.dialogValue
      this.transition(CallState.Completed, { endReason: opts.reason ?? 'hangup' })
      await dialog?.hangup(opts.headers)
    } else {
      const status = opts.status ?? 480
      this.pending?.abandon(status, opts.headers, opts.reasonPhrase)
      this.transition(opts.finalState ?? (this.direction === 'outbound' ? CallState.Canceled : finalStateForSipStatus(status)), {
        status: this.direction === 'inbound' ? status : undefined,
        endReason: opts.reason ?? 'hangup',
      })
    }
    await this.release()
  }

  /** Frees the media and ends the children; runs once, after the final transition. */
  release(): Promise<void> {
    if (!this.ended) return Promise.resolve()
    this.releasing ??= (async () => {
      await Promise.all([...this.children].map((c) => c.hangup({ reason: 'parent ended', status: 487 }).catch(() => undefined)))
      await this.endpointValue?.close().catch((err: unknown) => this.logger.warn({ err }, 'endpoint close failed'))
    })()
    return this.releasing
  }

  describe(): CallDescription {
    const now = this.endedAt ?? new Date()
    return {
      call_sid: this.sid,
      account_sid: this.accountSid,
      direction: this.direction,
      from: this.from,
      to: this.to,
      caller_name: this.callerName,
      call_id: this.callId,
      sip_status: this.sipStatusValue,
      sip_reason: this.sipReasonValue,
      call_status: this.stateValue,
      parent_call_sid: this.parentCallSid ?? null,
      originating_sip_ip: this.originatingSipIp ?? null,
      originating_sip_port: this.originatingSipPort ?? null,
      local_sip_address: this.localSipAddress ?? null,
      sip: { headers: this.sipHeaders },
      duration: this.answeredAt ? Math.round((now.getTime() - this.answeredAt.getTime()) / 1000) : 0,
      timestamp: new Date().toISOString(),
      start_time: this.createdAt.toISOString(),
      answer_time: this.answeredAt?.toISOString() ?? null,
      end_time: this.endedAt?.toISOString() ?? null,
      ...(this.endReason ? { reason: this.endReason } : {}),
      ...(this.customerData ? { customerData: this.customerData } : {}),
    }
  }
}
