import dgram from 'node:dgram'
import { randomBytes } from 'node:crypto'

/**
 * A minimal real SIP phone over UDP for e2e tests that need to check audio with an
 * RtpPeer (SIPp cannot assert on RTP content): INVITE with the peer's SDP, ACK the 200,
 * answer the far end's BYE. Only what a test needs; it is not a SIP stack.
 */
export class SipUdpPhone {
  readonly messages: string[] = []
  private waiters: Array<{ pred: (m: string) => boolean; resolve: (m: string) => void }> = []
  private readonly callId = randomBytes(8).toString('hex')
  private readonly tag = randomBytes(4).toString('hex')

  private constructor(private readonly socket: dgram.Socket, private readonly target: { host: string; port: number }) {
    socket.on('message', (buf) => {
      const m = buf.toString('utf8')
      this.messages.push(m)
      for (const w of [...this.waiters]) {
        if (w.pred(m)) {
          this.waiters.splice(this.waiters.indexOf(w), 1)
          w.resolve(m)
        }
      }
    })
  }

  static async create(target: { host: string; port: number }): Promise<SipUdpPhone> {
    const socket = dgram.createSocket('udp4')
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()))
    return new SipUdpPhone(socket, target)
  }

  get port(): number {
    return this.socket.address().port
  }

  waitFor(pred: (m: string) => boolean, timeoutMs = 10_000, what = 'message'): Promise<string> {
    const seen = this.messages.find(pred)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const w = { pred, resolve: (m: string) => (clearTimeout(t), resolve(m)) }
      const t = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1)
        reject(new Error(`timed out waiting for ${what}; got:\n${this.messages.map((x) => x.split('\r\n')[0]).join('\n')}`))
      }, timeoutMs)
      this.waiters.push(w)
    })
  }

  send(text: string): void {
    this.socket.send(Buffer.from(text), this.target.port, this.target.host)
  }

  private headers(method: string, cseq: number, toTag = ''): string {
    const me = `127.0.0.1:${this.port}`
    return [
      `Via: SIP/2.0/UDP ${me};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
      `From: <sip:phone@${me}>;tag=${this.tag}`,
      `To: <sip:demo@${this.target.host}:${this.target.port}>${toTag ? `;tag=${toTag}` : ''}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:phone@${me}>`,
      'Max-Forwards: 70',
    ].join('\r\n')
  }

  /** INVITE with `sdp`; resolves with the final response. */
  async invite(sdp: string): Promise<string> {
    const uri = `sip:demo@${this.target.host}:${this.target.port}`
    this.send(`INVITE ${uri} SIP/2.0\r\n${this.headers('INVITE', 1)}\r\nContent-Type: application/sdp\r\nContent-Length: ${Buffer.byteLength(sdp)}\r\n\r\n${sdp}`)
    return this.waitFor((m) => /^SIP\/2\.0 [2-6]\d\d/.test(m) && / INVITE\r\n/.test(m), 10_000, 'final response to INVITE')
  }

  ack(response: string): void {
    const toTag = /\r\nTo:[^\r]*;tag=([^;\r\s>]+)/i.exec(response)?.[1] ?? ''
    const contact = /\r\nContact:\s*<([^>]+)>/i.exec(response)?.[1] ?? `sip:demo@${this.target.host}:${this.target.port}`
    this.send(`ACK ${contact} SIP/2.0\r\n${this.headers('ACK', 1, toTag)}\r\nContent-Length: 0\r\n\r\n`)
  }

  /** Wait for the far end's BYE and answer 200. */
  async answerBye(timeoutMs = 15_000): Promise<string> {
    const bye = await this.waitFor((m) => m.startsWith('BYE '), timeoutMs, 'BYE')
    const copy = (name: string) => new RegExp(`\\r\\n(${name}:[^\\r]*)`, 'i').exec(bye)?.[1] ?? ''
    const vias = bye.split('\r\n').filter((l) => /^Via:/i.test(l)).join('\r\n')
    this.send(`SIP/2.0 200 OK\r\n${vias}\r\n${copy('From')}\r\n${copy('To')}\r\n${copy('Call-ID')}\r\n${copy('CSeq')}\r\nContent-Length: 0\r\n\r\n`)
    return bye
  }

  close(): void {
    this.socket.close()
  }
}

/** The SDP body of a SIP message. */
export function sdpOf(message: string): string {
  const i = message.indexOf('\r\n\r\n')
  return i < 0 ? '' : message.slice(i + 4)
}
