import type dgram from 'node:dgram'
import type { RtpPeer } from './rtp-peer.js'
import {
  buildMessage,
  buildResponse,
  callIdOf,
  cseqOf,
  header,
  hostPortOf,
  isResponseTo,
  methodOf,
  newBranch,
  newTag,
  sdpAudio,
  sdpOf,
  SipUdpEndpoint,
  tagOf,
  uriOf,
  type HostPort,
} from './sip-message.js'

/** What the callee does with a new INVITE (after sending 100 Trying). */
export type CalleeMode =
  /** 180 (or 183 with SDP), then 200 OK with its SDP after `answerDelayMs` */
  | { kind: 'answer'; answerDelayMs?: number; provisional?: 180 | 183 }
  /** the final `status` after `delayMs` (no 180) */
  | { kind: 'reject'; status: number; reason?: string; delayMs?: number }
  /** 180 and nothing more, until CANCEL (or `answerNow()`) */
  | { kind: 'ringForever' }

export type CalleeCallState = 'ringing' | 'answered' | 'rejected' | 'canceled' | 'ended'

export interface CalleeCall {
  callId: string
  /** the initial INVITE as received */
  invite: string
  /** where it came from (responses go there) */
  from: HostPort
  /** the latest SDP offer received in the dialog */
  offerSdp: string
  /** our SDP in the 200 (empty until answered) */
  answerSdp: string
  localTag: string
  /** the caller's Contact: Request-URI (and destination) of our in-dialog requests */
  remoteTarget: string
  state: CalleeCallState
  acked: boolean
}

export interface SipUdpCalleeOptions {
  /** its SDP is the answer (its codec, plus telephone-event when offered) */
  peer?: RtpPeer
  /** a fixed answer SDP when there is no peer */
  sdp?: string
  /** default `{ kind: 'answer' }` */
  mode?: CalleeMode
  /** point `peer` at the offer's m=audio address (default true; it does not start sending) */
  autoTarget?: boolean
}

interface CallState extends CalleeCall {
  timers: NodeJS.Timeout[]
  lastProvisional: string
  localCseq: number
  sdpVersion: number
}

/**
 * A minimal real SIP UAS over UDP on 127.0.0.1 — the far end of a `dial` in e2e tests.
 * New INVITEs are handled per `mode` (answer / reject / ring forever); CANCEL gets 200
 * and the INVITE 487; in-dialog re-INVITE/UPDATE get 200 with its own SDP in the
 * mirrored direction (sendonly→recvonly, recvonly→sendonly, inactive→inactive, else
 * sendrecv), or are refused after `refuseReinvite(status)`; BYE/INFO/NOTIFY/OPTIONS get 200. Final INVITE responses are repeated until
 * the ACK. Every message received is kept in `messages`. Several calls may be in progress.
 */
export class SipUdpCallee extends SipUdpEndpoint {
  readonly calls: CalleeCall[] = []
  private readonly byId = new Map<string, CallState>()
  private mode: CalleeMode
  private fixedSdp: string | undefined
  /** when set, in-dialog re-INVITEs are refused with this status (the dialog stays up) */
  private reinviteRefusal: number | undefined

  private constructor(socket: dgram.Socket, private readonly opts: SipUdpCalleeOptions) {
    super(socket)
    this.mode = opts.mode ?? { kind: 'answer' }
    this.fixedSdp = opts.sdp
  }

  static async create(opts: SipUdpCalleeOptions = {}): Promise<SipUdpCallee> {
    return new SipUdpCallee(await SipUdpEndpoint.bindSocket(), opts)
  }

  /** `sip:user@127.0.0.1:port` — a dial target for livecall. */
  uri(user = 'callee'): string {
    return `sip:${user}@127.0.0.1:${this.port}`
  }

  private get contact(): string {
    return this.uri('callee')
  }

  /** Answer later INVITEs: 180 (or 183 with SDP), then 200 after `answerDelayMs`. */
  answer(opts: { answerDelayMs?: number; provisional?: 180 | 183 } = {}): this {
    this.mode = { kind: 'answer', ...opts }
    return this
  }

  /** Reject later INVITEs with `status` (e.g. 486, 603, 404). */
  reject(status: number, opts: { reason?: string; delayMs?: number } = {}): this {
    this.mode = { kind: 'reject', status, ...opts }
    return this
  }

  /** Let later INVITEs ring until CANCELed. */
  ringForever(): this {
    this.mode = { kind: 'ringForever' }
    return this
  }

  /** Refuse later in-dialog re-INVITEs with `status` (e.g. 488); `undefined` accepts them again. */
  refuseReinvite(status: number | undefined): this {
    this.reinviteRefusal = status
    return this
  }

  /** Answer a ringing call now (the latest by default). */
  answerNow(callId?: string): void {
    const call = this.find(callId)
    if (call.state === 'ringing') this.sendAnswer(call)
  }

  /** The latest call, or the one with `callId`; throws when there is none. */
  call(callId?: string): CalleeCall {
    return this.find(callId)
  }

  /** Resolves with the latest call once it reaches `state` (any state: once an INVITE came). */
  async waitForCall(state?: CalleeCallState, timeoutMs = 10_000): Promise<CalleeCall> {
    const until = Date.now() + timeoutMs
    for (;;) {
      const call = this.calls[this.calls.length - 1]
      if (call && (!state || call.state === state)) return call
      if (Date.now() > until) {
        throw new Error(`SipUdpCallee: no call ${state ?? ''} in ${timeoutMs} ms; calls: ${this.calls.map((c) => c.state).join(', ') || 'none'}`)
      }
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  /** The SDP offer of the latest INVITE (or re-INVITE) received. */
  get lastOfferSdp(): string {
    return this.calls[this.calls.length - 1]?.offerSdp ?? ''
  }

  /** Address/port of the latest offer's m=audio: where livecall wants our RTP. */
  remoteRtp(): { address: string; port: number } | null {
    return sdpAudio(this.lastOfferSdp)
  }

  /** Hang up an answered call (the latest by default); resolves with the response to the BYE. */
  async bye(callId?: string, timeoutMs = 10_000): Promise<string> {
    const call = this.find(callId)
    if (call.state !== 'answered') throw new Error(`SipUdpCallee.bye: call is ${call.state}`)
    const cseq = ++call.localCseq
    const me = `127.0.0.1:${this.port}`
    this.sendTo(
      buildMessage(`BYE ${call.remoteTarget} SIP/2.0`, [
        `Via: SIP/2.0/UDP ${me};branch=${newBranch()};rport`,
        `From: ${header(call.invite, 'To')};tag=${call.localTag}`,
        `To: ${header(call.invite, 'From')}`,
        `Call-ID: ${call.callId}`,
        `CSeq: ${cseq} BYE`,
        'Max-Forwards: 70',
      ]),
      hostPortOf(call.remoteTarget),
    )
    call.state = 'ended'
    return this.waitFor((m) => isResponseTo(m, 'BYE', 200) && callIdOf(m) === call.callId && cseqOf(m).seq === cseq, timeoutMs, 'response to BYE')
  }

  private find(callId?: string): CallState {
    const call = callId ? this.byId.get(callId) : this.byId.get(this.calls[this.calls.length - 1]?.callId ?? '')
    if (!call) throw new Error(`SipUdpCallee: no call${callId ? ` ${callId}` : ''}`)
    return call
  }

  protected onMessage(m: string, from: HostPort): void {
    const method = methodOf(m)
    if (!method) return
    const call = this.byId.get(callIdOf(m))
    if (method === 'INVITE' && !tagOf(header(m, 'To'))) return this.onInitialInvite(m, from, call)
    if (method === 'ACK') {
      this.ackReceived(`${callIdOf(m)} ${cseqOf(m).seq}`)
      if (call) call.acked = true
      return
    }
    if (method === 'CANCEL') return this.onCancel(m, from, call)
    if (!call) return this.sendTo(buildResponse(m, 481), from)
    if (method === 'BYE') call.state = 'ended'
    if (method === 'INVITE' && this.reinviteRefusal !== undefined) {
      // RFC 3261 §14.2: a refused re-INVITE leaves the session as it was
      this.sendUntilAck(`${call.callId} ${cseqOf(m).seq}`, buildResponse(m, this.reinviteRefusal, { toTag: call.localTag }), from)
      return
    }
    const offer = sdpOf(m)
    if (offer && (method === 'INVITE' || method === 'UPDATE')) {
      call.offerSdp = offer
      this.retarget(offer)
    }
    this.answerInDialog(m, from, { contact: this.contact, localSdp: call.answerSdp || this.localSdp(offer), sdpVersion: () => ++call.sdpVersion })
  }

  private onInitialInvite(invite: string, from: HostPort, existing: CallState | undefined): void {
    if (existing) {
      // a retransmission: finals are being repeated already; repeat the provisional
      if (existing.state === 'ringing' && existing.lastProvisional) this.sendTo(existing.lastProvisional, from)
      return
    }
    const call: CallState = {
      callId: callIdOf(invite),
      invite,
      from,
      offerSdp: sdpOf(invite),
      answerSdp: '',
      localTag: newTag(),
      remoteTarget: uriOf(header(invite, 'Contact')) || `sip:${from.host}:${from.port}`,
      state: 'ringing',
      acked: false,
      timers: [],
      lastProvisional: '',
      localCseq: 0,
      sdpVersion: 1,
    }
    this.byId.set(call.callId, call)
    this.calls.push(call)
    if (call.offerSdp) this.retarget(call.offerSdp)
    this.provisional(call, 100)
    const mode = this.mode
    if (mode.kind === 'reject') {
      this.later(call, mode.delayMs ?? 0, () => {
        call.state = 'rejected'
        this.sendUntilAck(`${call.callId} ${cseqOf(invite).seq}`, buildResponse(invite, mode.status, { toTag: call.localTag, reason: mode.reason }), from)
      })
      return
    }
    if (mode.kind === 'answer' && mode.provisional === 183) this.provisional(call, 183, this.localSdp(call.offerSdp))
    else this.provisional(call, 180)
    if (mode.kind === 'answer') this.later(call, mode.answerDelayMs ?? 0, () => this.sendAnswer(call))
  }

  private provisional(call: CallState, status: number, sdp = ''): void {
    call.lastProvisional = buildResponse(call.invite, status, { toTag: call.localTag, contact: status > 100 ? this.contact : undefined, body: sdp })
    this.sendTo(call.lastProvisional, call.from)
  }

  private later(call: CallState, ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      call.timers.splice(call.timers.indexOf(t), 1)
      if (call.state === 'ringing') fn()
    }, ms)
    t.unref()
    call.timers.push(t)
  }

  private sendAnswer(call: CallState): void {
    call.answerSdp = this.localSdp(call.offerSdp)
    call.state = 'answered'
    const res = buildResponse(call.invite, 200, { toTag: call.localTag, contact: this.contact, body: call.answerSdp })
    this.sendUntilAck(`${call.callId} ${cseqOf(call.invite).seq}`, res, call.from)
  }

  private onCancel(cancel: string, from: HostPort, call: CallState | undefined): void {
    if (!call) return this.sendTo(buildResponse(cancel, 481), from)
    this.sendTo(buildResponse(cancel, 200, { toTag: call.localTag }), from)
    if (call.state !== 'ringing') return
    for (const t of call.timers) clearTimeout(t)
    call.timers = []
    call.state = 'canceled'
    this.sendUntilAck(`${call.callId} ${cseqOf(call.invite).seq}`, buildResponse(call.invite, 487, { toTag: call.localTag }), call.from)
  }

  private retarget(offer: string): void {
    if (this.opts.peer && this.opts.autoTarget !== false && sdpAudio(offer)) this.opts.peer.target(offer)
  }

  /** Our answer to `offer`: the peer's SDP (telephone-event only when offered), the fixed one, or a placeholder. */
  private localSdp(offer: string): string {
    if (this.opts.peer) return this.opts.peer.offer({ telephoneEvent: /telephone-event/i.test(offer) })
    if (this.fixedSdp) return this.fixedSdp
    return ['v=0', 'o=callee 1 1 IN IP4 127.0.0.1', 's=callee', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 9 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n')
  }

  close(): void {
    for (const call of this.byId.values()) for (const t of call.timers) clearTimeout(t)
    super.close()
  }
}
