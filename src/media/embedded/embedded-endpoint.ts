import type { Logger } from 'pino'
import { LivecallError } from '../../errors/index.js'
import type {
  CollectDigitsOptions,
  CollectDigitsResult,
  ConferenceJoinOptions,
  ConferenceMember,
  ListenHandle,
  ListenOptions,
  MediaDirection,
  MediaEndpoint,
  MediaEndpointEvents,
  MediaEndpointStats,
  PlayResult,
  PlaySource,
  RecordingHandle,
  RecordingOptions,
  SendDigitsOptions,
} from '../types.js'
import type { LoadAudio } from './audio-loader.js'
import { G711_SILENCE, g711EncodeInto, g711TranscodeInPlace, type G711Codec } from './codec/g711.js'
import { collectDigits, DtmfDetector } from './dtmf/index.js'
import { EndpointConference } from './endpoint-conference.js'
import { EndpointDigits } from './endpoint-digits.js'
import type { EndpointFeatureHost, FeatureStop } from './endpoint-feature-host.js'
import { EndpointInactivity } from './endpoint-inactivity.js'
import { EndpointListen } from './endpoint-listen.js'
import { EndpointPrompt } from './endpoint-prompt.js'
import { startEndpointRecording } from './endpoint-recording.js'
import { canTransition, closedError, EndpointState, muteWith, MuteState } from './endpoint-state.js'
import { FrameTap } from './frame-tap.js'
import type { Pacer } from './pacer.js'
import type { ConferenceHub } from './conference-hub.js'
import { StereoFeed } from './stereo-feed.js'
import { OutgoingSource, OutgoingStream } from './rtp/outgoing-stream.js'
import { isRtcpPacket, parseRtpHeader, RTP_FIXED_HEADER_LENGTH, type RtpHeader } from './rtp/rtp-packet.js'
import { ipv4ToNumber } from './rtp/ipv4.js'
import type { RtpSocketPair } from './rtp/rtp-io.js'
import { SafeEmitter } from './safe-emitter.js'
import type { SdpDirection } from './sdp/direction.js'
import type { NegotiatedAudio } from './sdp/negotiate.js'
import type { SdpSession } from './sdp/sdp-session.js'
import { MediaCounters } from './stats.js'

/** What an endpoint needs from its engine. */
export interface EndpointContext {
  pacer: Pacer
  conferences: ConferenceHub
  /**
   * Engine-wide scratch header the receive path parses into: one object for every
   * endpoint, hot in cache; safe because a packet is parsed and relayed synchronously.
   */
  header: RtpHeader
  logger: Logger
  loadAudio: LoadAudio
  /** monotonic ms */
  now: () => number
  /** called once when the endpoint closes: release its port, forget it */
  onClosed: (endpoint: EmbeddedEndpoint) => void
}

/** RFC 4733 §2.3.5: the duration field of an event payload (bytes 2–3). */
function eventDuration(buf: Uint8Array, offset: number, length: number): number {
  return length >= 4 ? (buf[offset + 2] << 8) | buf[offset + 3] : 0
}

/**
 * An RTP endpoint of the embedded engine: one UDP socket pair, one negotiated G.711
 * stream, one outgoing stream (own SSRC/seq/ts, see OutgoingStream) fed by whichever
 * source is current: a prompt, else the bridged endpoint's relayed packets.
 *
 * Receive path (per packet, no allocation, no closure, no event, no clock read for a
 * plain relay): parse into the engine's scratch header → negotiated? → payload type →
 * RFC 4961 latch (port, then address) → direction → DTMF detector (events only) → frame
 * taps (only when a consumer is attached) → relay to the bridged endpoint, which
 * rewrites seq/ts/SSRC in the received Buffer, transcodes PCMU↔PCMA in place only when
 * the two legs differ, and sends that same Buffer. Everything it reads sits on the two
 * endpoints, their counters, negotiated media and outgoing streams.
 *
 * The features that feed or tap the stream live in their own files and see the
 * endpoint only through an EndpointFeatureHost: the prompt (endpoint-prompt.ts), listens
 * and their live audio (endpoint-listen.ts), recordings (endpoint-recording.ts), the
 * conference seat (endpoint-conference.ts); RTP-inactivity accounting is
 * endpoint-inactivity.ts.
 */
export class EmbeddedEndpoint implements MediaEndpoint {
  readonly id: string
  readonly port: number
  private stateValue: EndpointState
  private readonly counters = new MediaCounters()
  private readonly events: SafeEmitter<MediaEndpointEvents>
  private readonly out: OutgoingStream
  private readonly dtmf: DtmfDetector
  /** the current offer/answer result (SdpSession.negotiated), kept here for the hot path */
  private neg: NegotiatedAudio | null
  /**
   * RFC 4961 latch: the far end's RTP source once its first valid packet came; port 0
   * means not latched yet (no packet can come from port 0). We send to dest*: the SDP
   * address until latched, then the latched source. Addresses are IPv4 as numbers
   * (rtp/ipv4.ts); destAddress -1: nowhere to send (no or unusable SDP address).
   */
  private latchedPort = 0
  private latchedAddress = 0
  private destPort = 0
  private destAddress = -1
  /** aborted on close: ends plays and digit collections in progress */
  private readonly closing = new AbortController()
  private peer: EmbeddedEndpoint | null = null
  private muted = MuteState.None
  /** decoded received / sent audio, only while a listen/record/conference consumer is attached */
  readonly receivedTap: FrameTap
  readonly sentTap: FrameTap
  /** what the feature attachments see of this endpoint */
  private readonly host: EndpointFeatureHost
  private readonly prompt: EndpointPrompt
  private readonly listens: EndpointListen
  private readonly conference: EndpointConference
  private readonly digits: EndpointDigits
  /** listens and recordings to end on close */
  private readonly features = new Set<FeatureStop>()
  /** RTP-inactivity accounting, driven by the engine's sweep (no clock read per packet) */
  private readonly inactivity = new EndpointInactivity()
  private validPackets = 0

  constructor(
    id: string,
    port: number,
    private readonly sockets: RtpSocketPair,
    private readonly sdp: SdpSession,
    private readonly ctx: EndpointContext,
    initialState: EndpointState,
  ) {
    this.id = id
    this.port = port
    this.stateValue = initialState
    this.neg = sdp.negotiated
    this.aimAtSdp()
    const log = ctx.logger
    const report = (what: string) => (err: unknown) => log.warn({ err, endpoint: id }, `${what} listener threw`)
    this.events = new SafeEmitter<MediaEndpointEvents>((event, err) => report(`'${event}'`)(err))
    this.receivedTap = new FrameTap(report('received-frame'))
    this.sentTap = new FrameTap(report('sent-frame'))
    this.out = new OutgoingStream(ctx.now)
    this.host = {
      id,
      logger: ctx.logger,
      pacer: ctx.pacer,
      loadAudio: ctx.loadAudio,
      conferences: ctx.conferences,
      closing: this.closing.signal,
      receivedTap: this.receivedTap,
      stereo: new StereoFeed(this.receivedTap, this.sentTap, ctx.pacer, report('listen/record')),
      features: this.features,
      isClosed: () => this.stateValue === EndpointState.Closed,
      detach: () => this.detach(),
      currentSource: () => this.currentSource(),
      refreshSource: () => this.refreshSource(),
      tooSoonToStart: (source) => this.out.tooSoonToStart(source),
      sendLocalFrame: (frame, source) => this.sendLocalFrame(frame, source),
    }
    this.prompt = new EndpointPrompt(this.host)
    this.listens = new EndpointListen(this.host)
    this.conference = new EndpointConference(this.host)
    this.digits = new EndpointDigits({
      pacer: ctx.pacer,
      closing: this.closing.signal,
      refreshSource: () => this.refreshSource(),
      tooSoonToStart: (source) => this.out.tooSoonToStart(source),
      telephoneEventPt: () => this.neg?.telephoneEventPt ?? null,
      sendEventPacket: (payload, first, durationSamples) => this.sendEventPacket(payload, first, durationSamples),
    })
    this.dtmf = new DtmfDetector({ onListenerError: report('digit') })
    this.dtmf.on('digit', (digit, durationMs) => this.events.emit('dtmf', digit, durationMs))
    sockets.onRtp = this.onRtp
    sockets.onRtcp = this.onRtcp
    sockets.onSendError = () => this.counters.sendErrors++
  }

  // ── state ─────────────────────────────────────────────────────────────────────

  get state(): EndpointState {
    return this.stateValue
  }

  get closed(): boolean {
    return this.stateValue === EndpointState.Closed
  }

  get localSdp(): string {
    return this.sdp.localSdp
  }

  /** The codec negotiated with the far end, or null before the first answer. */
  get codec(): G711Codec | null {
    return this.neg?.codec ?? null
  }

  /** Engine totals: add this endpoint's counters (called once it is closed). */
  addCountersTo(into: MediaCounters): void {
    this.counters.addTo(into)
  }

  /** The one place the state changes. */
  private transition(next: EndpointState): void {
    if (this.stateValue === next) return
    if (!canTransition(this.stateValue, next)) {
      throw new LivecallError('LIVECALL_ERR_MEDIA_STATE', `endpoint ${this.id}: ${this.stateValue} → ${next} is not allowed`, 409)
    }
    this.stateValue = next
  }

  private assertOpen(): void {
    if (this.stateValue === EndpointState.Closed) throw closedError(this.id)
  }

  // ── SDP ───────────────────────────────────────────────────────────────────────

  async setRemoteSdp(sdp: string): Promise<string> {
    this.assertOpen()
    const before = this.sdp.negotiated
    const local = this.sdp.applyRemote(sdp) // throws BAD_SDP / NO_CODEC, leaving the old negotiation in place
    const after = this.sdp.negotiated!
    this.neg = after
    if (!before || before.remoteAddress !== after.remoteAddress || before.remotePort !== after.remotePort) {
      this.latchedPort = 0
      this.latchedAddress = 0
      this.aimAtSdp()
    }
    if (!after.canSend) this.out.setSource(OutgoingSource.None)
    this.refreshSource()
    this.transition(EndpointState.Active)
    return local
  }

  async setLocalDirection(direction: SdpDirection): Promise<string> {
    this.assertOpen()
    return this.sdp.setDirection(direction)
  }

  // ── bridge ────────────────────────────────────────────────────────────────────

  async bridge(other: MediaEndpoint): Promise<void> {
    this.assertOpen()
    if (!(other instanceof EmbeddedEndpoint)) {
      throw new LivecallError('LIVECALL_ERR_MEDIA_INCOMPATIBLE', 'can only bridge endpoints of the same media engine', 400)
    }
    if (other === this) throw new LivecallError('LIVECALL_ERR_MEDIA_STATE', 'cannot bridge an endpoint to itself', 409)
    other.assertOpen()
    if (this.peer === other) return
    if (this.conference.joined || other.conference.joined) {
      throw new LivecallError('LIVECALL_ERR_MEDIA_STATE', 'an endpoint in a conference cannot be bridged; leave the conference first', 409)
    }
    this.detach()
    other.detach()
    this.peer = other
    other.peer = this
    this.refreshSource()
    other.refreshSource()
  }

  async unbridge(): Promise<void> {
    this.assertOpen()
    this.detach()
  }

  /** Drop the bridge on both sides (no-op when not bridged). */
  private detach(): void {
    const peer = this.peer
    if (!peer) return
    this.peer = null
    peer.peer = null
    this.refreshSource()
    peer.refreshSource()
  }

  /** Who feeds our outgoing stream, by priority: digits we send, prompt, live stream, conference mix, bridged endpoint. */
  private currentSource(): OutgoingSource {
    if (this.digits.sending) return OutgoingSource.Digits
    if (this.prompt.playing) return OutgoingSource.Prompt
    if (this.listens.hasLiveAudio) return OutgoingSource.Stream
    if (this.conference.joined) return OutgoingSource.Mixer
    if (this.peer) return OutgoingSource.Relay
    return OutgoingSource.None
  }

  private refreshSource(): void {
    this.out.setSource(this.currentSource())
  }

  get bridgedTo(): EmbeddedEndpoint | null {
    return this.peer
  }

  // ── mute ──────────────────────────────────────────────────────────────────────

  async mute(direction: MediaDirection): Promise<void> {
    this.assertOpen()
    this.muted = muteWith(this.muted, direction, true)
  }

  async unmute(direction: MediaDirection): Promise<void> {
    this.assertOpen()
    this.muted = muteWith(this.muted, direction, false)
  }

  get muteState(): MuteState {
    return this.muted
  }

  private get sendMuted(): boolean {
    return this.muted === MuteState.Send || this.muted === MuteState.Both
  }

  private get receiveMuted(): boolean {
    return this.muted === MuteState.Receive || this.muted === MuteState.Both
  }

  /** Until the far end's first packet latches us, we send where its SDP says. */
  private aimAtSdp(): void {
    this.destPort = this.neg?.remotePort ?? 0
    this.destAddress = this.neg ? ipv4ToNumber(this.neg.remoteAddress) : -1
  }

  // ── receive path ──────────────────────────────────────────────────────────────

  private readonly onRtcp = (): void => {
    this.counters.rtcpDrained++
  }

  private readonly onRtp = (msg: Uint8Array, address: number, port: number): void => {
    const c = this.counters
    c.packetsReceived++
    c.bytesReceived += msg.length
    if (isRtcpPacket(msg)) {
      // RFC 5761 rtcp-mux: RTCP on the RTP port is drained, not an error
      c.rtcpDrained++
      return
    }
    const h = this.ctx.header
    if (!parseRtpHeader(msg, h)) {
      c.droppedMalformed++
      return
    }
    const neg = this.neg
    if (neg === null || this.stateValue !== EndpointState.Active) {
      c.droppedNoRemote++
      return
    }
    const isEvent = h.payloadType === neg.telephoneEventPt
    if (!isEvent && h.payloadType !== neg.payloadType) {
      c.droppedPayloadType++
      return
    }
    // RFC 4961 symmetric RTP: latch onto the first source, drop anything from elsewhere
    // (the port first: a number compare settles almost every case)
    if (this.latchedPort === 0) {
      this.latchedPort = port
      this.latchedAddress = address
      this.destPort = port
      this.destAddress = address
    } else if (port !== this.latchedPort || address !== this.latchedAddress) {
      c.droppedUnexpectedSource++
      return
    }
    if (!neg.canReceive) {
      c.droppedNotReceiving++
      return
    }
    this.validPackets++
    if (isEvent) {
      this.dtmf.feed(msg.subarray(h.payloadOffset, h.payloadOffset + h.payloadLength), h.timestamp, h.sequenceNumber)
      const peer = this.peer
      if (peer === null) return
      if (this.receiveMuted) peer.out.consumeRelayed(h.sequenceNumber, h.ssrc)
      else peer.relayIn(msg, h, true, neg.codec)
      return
    }
    if (this.receivedTap.active) this.receivedTap.pushEncoded(neg.codec, msg, h.payloadOffset, h.payloadLength)
    const peer = this.peer
    if (peer === null) return
    if (this.receiveMuted) msg.fill(G711_SILENCE[neg.codec], h.payloadOffset, h.payloadOffset + h.payloadLength)
    peer.relayIn(msg, h, false, neg.codec)
  }

  /**
   * A packet the bridged endpoint received (header parsed into `h`), to be sent on
   * our stream. Rewritten and transcoded in place.
   */
  private relayIn(msg: Uint8Array, h: RtpHeader, isEvent: boolean, fromCodec: G711Codec): void {
    const out = this.out
    const neg = this.neg
    if (out.currentSource !== OutgoingSource.Relay || neg === null || !neg.canSend) {
      // a prompt (or hold) owns our stream: the relayed packet is consumed
      out.consumeRelayed(h.sequenceNumber, h.ssrc)
      return
    }
    let pt: number
    let extent = 0
    if (isEvent) {
      if (neg.telephoneEventPt === null || this.sendMuted) {
        out.consumeRelayed(h.sequenceNumber, h.ssrc)
        return
      }
      pt = neg.telephoneEventPt
      extent = eventDuration(msg, h.payloadOffset, h.payloadLength)
    } else {
      pt = neg.payloadType
      if (this.sendMuted) {
        msg.fill(G711_SILENCE[neg.codec], h.payloadOffset, h.payloadOffset + h.payloadLength)
      } else if (fromCodec !== neg.codec) {
        g711TranscodeInPlace(fromCodec, msg, h.payloadOffset, h.payloadLength)
        this.counters.packetsTranscoded++
      }
    }
    if (!out.rewriteRelayed(msg, pt, h.sequenceNumber, h.timestamp, h.ssrc, h.marker, extent)) return
    if (!isEvent && this.sentTap.active) this.sentTap.pushEncoded(neg.codec, msg, h.payloadOffset, h.payloadLength)
    this.counters.packetsRelayed++
    this.send(msg)
  }

  /**
   * Symmetric RTP (RFC 4961): to the latched source once known, else to the SDP address.
   * The socket stays unconnected so that packets from other sources still reach onRtp
   * and are counted.
   */
  private send(buf: Uint8Array): void {
    const c = this.counters
    if (this.destAddress < 0 || this.destPort === 0 || !this.sockets.sendRtp(buf, this.destAddress, this.destPort)) {
      c.sendErrors++
      return
    }
    c.packetsSent++
    c.bytesSent += buf.length
  }

  // ── prompts, local frames ─────────────────────────────────────────────────────

  async play(source: PlaySource, signal?: AbortSignal): Promise<PlayResult> {
    this.assertOpen()
    return this.prompt.play(source, signal)
  }

  /** Encode and send one locally made 20 ms frame (prompt, live stream, conference mix). */
  private sendLocalFrame(frame: Int16Array, source: OutgoingSource): void {
    const neg = this.neg
    if (neg === null || !neg.canSend) {
      this.out.setSource(OutgoingSource.None) // time passes unsent; the next frame starts a new epoch
      return
    }
    if (this.digits.sending) return // an RFC 4733 event owns the stream; the frame is dropped
    if (this.out.tooSoonToStart(source)) return // a mix or live frame: the next one comes in 20 ms
    this.out.setSource(source)
    if (this.sentTap.active) this.sentTap.pushPcm(frame)
    const pkt = this.out.buildLocal(neg.payloadType, frame.length, frame.length)
    if (this.sendMuted) pkt.fill(G711_SILENCE[neg.codec], RTP_FIXED_HEADER_LENGTH)
    else g711EncodeInto(neg.codec, frame, 0, frame.length, pkt, RTP_FIXED_HEADER_LENGTH)
    this.send(pkt)
  }

  // ── DTMF ──────────────────────────────────────────────────────────────────────

  async collectDigits(opts: CollectDigitsOptions, signal?: AbortSignal): Promise<CollectDigitsResult> {
    this.assertOpen()
    const stop = AbortSignal.any(signal ? [signal, this.closing.signal] : [this.closing.signal])
    return collectDigits(this.dtmf, opts, stop)
  }

  /** Send RFC 4733 events to the far end (see EndpointDigits); resolves once sent or aborted. */
  async sendDigits(digits: string, opts?: SendDigitsOptions, signal?: AbortSignal): Promise<void> {
    this.assertOpen()
    return this.digits.send(digits, opts, signal)
  }

  /** One RFC 4733 event packet of ours on the outgoing stream (dropped when we may not send). */
  private sendEventPacket(payload: Uint8Array, first: boolean, durationSamples: number): void {
    const neg = this.neg
    if (neg === null || !neg.canSend || neg.telephoneEventPt === null) return
    this.out.setSource(OutgoingSource.Digits)
    const pkt = this.out.buildEvent(neg.telephoneEventPt, payload.length, first, durationSamples)
    pkt.set(payload, RTP_FIXED_HEADER_LENGTH)
    this.send(pkt)
  }

  // ── listen / record / conference (frame-level pieces plug into the taps) ──────

  /** Fork this endpoint's audio to a websocket (SPEC §7); see EndpointListen. */
  async startListen(opts: ListenOptions): Promise<ListenHandle> {
    this.assertOpen()
    return this.listens.start(opts)
  }

  /** Stereo WAV of this endpoint: left = what the far end says, right = what it hears. */
  async startRecording(opts: RecordingOptions): Promise<RecordingHandle> {
    this.assertOpen()
    return startEndpointRecording(this.host, opts)
  }

  /**
   * Join a named room of the engine's mixer. A bridge is dropped first (a conference
   * replaces the two-party call); the member hears the room's mix-minus each tick.
   */
  async joinConference(name: string, opts: ConferenceJoinOptions = {}): Promise<ConferenceMember> {
    this.assertOpen()
    return this.conference.join(name, opts)
  }

  // ── inactivity ────────────────────────────────────────────────────────────────

  /**
   * Called by the engine's sweep every `elapsedMs`: emits `timeout` once when no valid
   * RTP came for `timeoutMs` while the far end is supposed to send (not on hold,
   * not before the answer).
   */
  checkInactivity(elapsedMs: number, timeoutMs: number): void {
    const neg = this.neg
    const expectingRtp = neg !== null && neg.canReceive && this.stateValue === EndpointState.Active
    if (this.inactivity.check(this.validPackets, expectingRtp, elapsedMs, timeoutMs)) this.events.emit('timeout')
  }

  // ── stats, events, close ──────────────────────────────────────────────────────

  stats(): MediaEndpointStats & { counters: ReturnType<MediaCounters['snapshot']>; framesDecoded: number } {
    const snap = this.counters.snapshot()
    return {
      state: this.stateValue,
      codec: this.codec ?? undefined,
      packetsReceived: snap.packetsReceived,
      bytesReceived: snap.bytesReceived,
      packetsSent: snap.packetsSent,
      bytesSent: snap.bytesSent,
      dropped: snap.dropped,
      counters: snap,
      framesDecoded: this.receivedTap.frames + this.sentTap.frames,
    }
  }

  on<E extends keyof MediaEndpointEvents>(event: E, listener: MediaEndpointEvents[E]): this {
    this.events.on(event, listener)
    return this
  }

  off<E extends keyof MediaEndpointEvents>(event: E, listener: MediaEndpointEvents[E]): this {
    this.events.off(event, listener)
    return this
  }

  /** Graceful and idempotent: unbridges, ends prompts and collections, releases the ports. */
  async close(): Promise<void> {
    if (this.stateValue === EndpointState.Closed) return
    this.transition(EndpointState.Closed)
    this.detach()
    this.closing.abort()
    this.prompt.stop()
    this.conference.leave()
    await Promise.all([...this.features].map((stop) => stop().catch((err) => this.ctx.logger.warn({ err, endpoint: this.id }, 'ending listen/record on close failed'))))
    this.listens.clear()
    this.dtmf.close()
    this.receivedTap.clear()
    this.sentTap.clear()
    this.sockets.close()
    this.ctx.onClosed(this)
    this.events.emit('close')
    this.events.clear()
  }
}
