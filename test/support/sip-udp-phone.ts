import type dgram from 'node:dgram'
import {
  buildMessage,
  buildResponse,
  callIdOf,
  cseqOf,
  header,
  isResponseTo,
  methodOf,
  newBranch,
  newTag,
  sdpOf,
  SipUdpEndpoint,
  statusOf,
  tagOf,
  uriOf,
  type HostPort,
} from './sip-message.js'

export { sdpOf }

export interface SipUdpPhoneOptions {
  /** answer the far end's BYE with 200 as soon as it comes (default false: `answerBye()` does) */
  autoAnswerBye?: boolean
  /** the From display name, sent as a quoted-string (RFC 3261 §25.1: `"` and `\\` escaped) */
  displayName?: string
}

/**
 * A minimal real SIP phone over UDP for e2e tests that need to check audio with an
 * RtpPeer (SIPp cannot assert on RTP content): INVITE with the peer's SDP, ACK the 200,
 * CANCEL while it rings, BYE, answer the far end's BYE. A re-INVITE from the far end
 * (hold/unhold) is answered 200 with the phone's own SDP in the mirrored direction, and
 * INFO/NOTIFY/OPTIONS/UPDATE get 200; every message is kept in `messages`. A non-2xx
 * final response to the INVITE is ACKed by the phone itself, as a transaction layer
 * would. Only what a test needs; it is not a SIP stack.
 */
export class SipUdpPhone extends SipUdpEndpoint {
  private readonly callId = newTag() + newTag()
  private readonly tag = newTag()
  private readonly inviteBranch = newBranch()
  private cseq = 1
  private localSdp = ''
  private sdpVersion = 1
  /** the far end's tag and Contact, from the 2xx to the INVITE */
  private remote: { tag: string; target: string } | null = null

  private constructor(socket: dgram.Socket, private readonly target: HostPort, private readonly opts: SipUdpPhoneOptions) {
    super(socket)
  }

  static async create(target: { host: string; port: number }, opts: SipUdpPhoneOptions = {}): Promise<SipUdpPhone> {
    return new SipUdpPhone(await SipUdpEndpoint.bindSocket(), target, opts)
  }

  private get me(): string {
    return `127.0.0.1:${this.port}`
  }

  private get requestUri(): string {
    return `sip:demo@${this.target.host}:${this.target.port}`
  }

  private get fromName(): string {
    const name = this.opts.displayName
    return name === undefined ? '' : `"${name.replace(/["\\]/g, '\\$&')}" `
  }

  /** Re-INVITEs (and UPDATEs) the far end sent in the dialog. */
  get reinvites(): string[] {
    return this.messages.filter((m) => methodOf(m) === 'INVITE' || methodOf(m) === 'UPDATE')
  }

  send(text: string): void {
    this.sendTo(text, this.target)
  }

  protected onMessage(m: string, from: HostPort): void {
    const method = methodOf(m)
    if (!method) {
      if (isResponseTo(m, 'INVITE', 200, 299) && callIdOf(m) === this.callId) {
        this.remote = { tag: tagOf(header(m, 'To')), target: uriOf(header(m, 'Contact')) || this.requestUri }
      }
      // the transaction layer's ACK for a failure (and for its retransmissions)
      if (isResponseTo(m, 'INVITE', 300) && callIdOf(m) === this.callId) this.ackFailure(m)
      return
    }
    if (method === 'ACK') return
    if (method === 'BYE' && !this.opts.autoAnswerBye) return
    this.answerInDialog(m, from, { contact: `sip:phone@${this.me}`, localSdp: this.localSdp, sdpVersion: () => ++this.sdpVersion })
  }

  private headers(method: string, cseq: number, toTag = '', branch = newBranch()): string[] {
    return [
      `Via: SIP/2.0/UDP ${this.me};branch=${branch};rport`,
      `From: ${this.fromName}<sip:phone@${this.me}>;tag=${this.tag}`,
      `To: <${this.requestUri}>${toTag ? `;tag=${toTag}` : ''}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:phone@${this.me}>`,
      'Max-Forwards: 70',
    ]
  }

  /** INVITE with `sdp`; resolves with the final response. */
  async invite(sdp: string): Promise<string> {
    this.localSdp = sdp
    this.send(buildMessage(`INVITE ${this.requestUri} SIP/2.0`, this.headers('INVITE', 1, '', this.inviteBranch), sdp))
    return this.waitFor((m) => isResponseTo(m, 'INVITE', 200), 10_000, 'final response to INVITE')
  }

  /** ACK a final response to the INVITE (2xx: a new transaction to the Contact; else the INVITE's). */
  ack(response: string): void {
    const toTag = tagOf(header(response, 'To'))
    if (statusOf(response) >= 300) return this.ackFailure(response)
    const contact = uriOf(header(response, 'Contact')) || this.requestUri
    this.send(buildMessage(`ACK ${contact} SIP/2.0`, this.headers('ACK', 1, toTag)))
  }

  private ackFailure(response: string): void {
    this.send(buildMessage(`ACK ${this.requestUri} SIP/2.0`, this.headers('ACK', 1, tagOf(header(response, 'To')), this.inviteBranch)))
  }

  /**
   * CANCEL the INVITE once it has had a provisional response; resolves with the INVITE's
   * final response (normally 487, already ACKed) and the CANCEL's own response.
   */
  async cancel(timeoutMs = 10_000): Promise<{ final: string; cancelResponse: string }> {
    await this.waitFor((m) => isResponseTo(m, 'INVITE', 100, 199), timeoutMs, 'provisional response to INVITE')
    this.send(buildMessage(`CANCEL ${this.requestUri} SIP/2.0`, this.headers('CANCEL', 1, '', this.inviteBranch)))
    const cancelResponse = await this.waitFor((m) => isResponseTo(m, 'CANCEL', 200), timeoutMs, 'response to CANCEL')
    const final = await this.waitFor((m) => isResponseTo(m, 'INVITE', 200), timeoutMs, 'final response to INVITE')
    return { final, cancelResponse }
  }

  /** BYE the answered call; resolves with the response to it. */
  async bye(timeoutMs = 10_000): Promise<string> {
    if (!this.remote) throw new Error('SipUdpPhone.bye: no 2xx to the INVITE yet')
    const cseq = ++this.cseq
    this.send(buildMessage(`BYE ${this.remote.target} SIP/2.0`, this.headers('BYE', cseq, this.remote.tag)))
    return this.waitFor((m) => isResponseTo(m, 'BYE', 200) && cseqOf(m).seq === cseq, timeoutMs, 'response to BYE')
  }

  /**
   * A re-INVITE in the dialog with `sdp` (hold: an offer with a=sendonly or a=inactive);
   * ACKs the 2xx and resolves with the final response.
   */
  async reinvite(sdp: string, timeoutMs = 10_000): Promise<string> {
    if (!this.remote) throw new Error('SipUdpPhone.reinvite: no 2xx to the INVITE yet')
    const cseq = ++this.cseq
    this.localSdp = sdp
    this.send(buildMessage(`INVITE ${this.remote.target} SIP/2.0`, this.headers('INVITE', cseq, this.remote.tag), sdp))
    const final = await this.waitFor((m) => isResponseTo(m, 'INVITE', 200) && cseqOf(m).seq === cseq, timeoutMs, 're-INVITE final response')
    if (statusOf(final) < 300) this.send(buildMessage(`ACK ${this.remote.target} SIP/2.0`, this.headers('ACK', cseq, this.remote.tag)))
    return final
  }

  /** Wait for the far end's BYE and answer 200. */
  async answerBye(timeoutMs = 15_000): Promise<string> {
    const bye = await this.waitFor((m) => m.startsWith('BYE '), timeoutMs, 'BYE')
    this.send(buildResponse(bye, 200))
    return bye
  }
}
