import { randomInt } from 'node:crypto'
import type { G711Codec } from '../codec/g711.js'
import { G711_PAYLOAD_TYPE } from '../codec/g711.js'
import type { SdpDirection } from './direction.js'
import { buildLocalSdp, OUR_TELEPHONE_EVENT_PT, parseSdp, selectAudio, type MLineTemplate, type NegotiatedAudio } from './negotiate.js'

/**
 * Offer/answer state of one endpoint (RFC 3264):
 *
 *   Stable ──createOffer() / setDirection()──▶ LocalOffer      (our offer is out)
 *   LocalOffer ──applyRemote(answer)──▶ Stable
 *   Stable ──applyRemote(offer)──▶ Stable                       (we answered; a re-INVITE)
 *
 * A remote SDP is an answer exactly when our offer is outstanding.
 */
export enum NegotiationState {
  Stable = 'stable',
  LocalOffer = 'local-offer',
}

export class SdpSession {
  private state = NegotiationState.Stable
  private readonly sessionId = String(randomInt(1, 2 ** 47))
  private version = 0
  private body = ''
  private sdp = ''
  private desired: SdpDirection = 'sendrecv'
  private mlines: MLineTemplate[] = [{ type: 'audio', protocol: 'RTP/AVP', payloads: '' }]
  private audioIndex = 0
  private current: NegotiatedAudio | null = null
  /** PT of telephone-event in what we last put in our SDP */
  private localTePt: number | null = OUR_TELEPHONE_EVENT_PT

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly accept: readonly G711Codec[],
  ) {}

  get localSdp(): string {
    return this.sdp
  }

  get negotiated(): NegotiatedAudio | null {
    return this.current
  }

  get negotiationState(): NegotiationState {
    return this.state
  }

  /** Our offer: every accepted codec (the negotiated one first) plus telephone-event. */
  createOffer(): string {
    const order = this.current ? [this.current.codec, ...this.accept.filter((c) => c !== this.current!.codec)] : [...this.accept]
    const codecs = order.map((codec) => ({
      codec,
      payloadType: this.current?.codec === codec ? this.current.payloadType : G711_PAYLOAD_TYPE[codec],
    }))
    this.localTePt = this.current?.telephoneEventPt ?? OUR_TELEPHONE_EVENT_PT
    this.render(codecs, this.localTePt, this.desired)
    this.state = NegotiationState.LocalOffer
    return this.sdp
  }

  /** Change the direction we want (hold: sendonly/inactive); returns our new offer. */
  setDirection(direction: SdpDirection): string {
    this.desired = direction
    return this.createOffer()
  }

  /**
   * The far end's SDP: the answer to our outstanding offer, or a new offer that we answer.
   * Throws LIVECALL_ERR_MEDIA_BAD_SDP / LIVECALL_ERR_MEDIA_NO_CODEC and then leaves the
   * previous negotiation untouched. Returns our localSdp (unchanged after an answer).
   */
  applyRemote(sdp: string): string {
    const remote = parseSdp(sdp)
    if (this.state === NegotiationState.LocalOffer) {
      const { audio } = selectAudio(remote, this.offeredCodecs(), this.desired, 'answer', this.desired)
      this.current = audio
      this.state = NegotiationState.Stable
      return this.sdp
    }
    const { index, audio } = selectAudio(remote, this.accept, this.desired, 'offer')
    this.current = audio
    this.mlines = remote.media.map((m) => ({ type: m.type, protocol: m.protocol, payloads: String(m.payloads ?? '') }))
    this.audioIndex = index
    this.localTePt = audio.telephoneEventPt
    this.render([{ codec: audio.codec, payloadType: audio.payloadType }], audio.telephoneEventPt, audio.localDirection)
    return this.sdp
  }

  private offeredCodecs(): G711Codec[] {
    return this.accept.slice()
  }

  /** RFC 3264 §8: the o= version goes up by one whenever the description changes. */
  private render(codecs: Array<{ codec: G711Codec; payloadType: number }>, te: number | null, direction: SdpDirection): void {
    const input = { host: this.host, port: this.port, sessionId: this.sessionId, codecs, telephoneEventPt: te, direction, mlines: this.mlines, audioIndex: this.audioIndex }
    const body = buildLocalSdp({ ...input, sessionVersion: 0 }).replace(/^o=.*$/m, '')
    if (body !== this.body) {
      if (this.body !== '') this.version++
      this.body = body
    }
    this.sdp = buildLocalSdp({ ...input, sessionVersion: this.version })
  }
}
