import { randomBytes } from 'node:crypto'
import dgram from 'node:dgram'

/**
 * The few SIP message helpers the UDP test phones share (SipUdpPhone, SipUdpCallee):
 * header lookup (compact forms too), response building, SDP direction mirroring, and a
 * UDP endpoint that records every message and retransmits final INVITE responses until
 * their ACK. Deliberately independent of the product's SIP code: the tests check it.
 */

const COMPACT: Record<string, string> = { i: 'call-id', f: 'from', t: 'to', v: 'via', m: 'contact', l: 'content-length', c: 'content-type' }

export const newTag = (): string => randomBytes(4).toString('hex')
export const newBranch = (): string => `z9hG4bK${randomBytes(6).toString('hex')}`

export interface HostPort {
  host: string
  port: number
}

/** The first line of a SIP message. */
export const startLine = (msg: string): string => msg.slice(0, msg.indexOf('\r\n') < 0 ? msg.length : msg.indexOf('\r\n'))

/** The request method, or '' for a response. */
export const methodOf = (msg: string): string => (msg.startsWith('SIP/2.0 ') ? '' : startLine(msg).split(' ')[0])

/** The status code of a response, 0 for a request. */
export const statusOf = (msg: string): number => (msg.startsWith('SIP/2.0 ') ? Number(startLine(msg).split(' ')[1]) : 0)

/** The SDP (or any) body of a SIP message. */
export function sdpOf(message: string): string {
  const i = message.indexOf('\r\n\r\n')
  return i < 0 ? '' : message.slice(i + 4)
}

/** Header lines (continuations unfolded) as [lower-case full name, value, original line]. */
function headerLines(msg: string): Array<[string, string, string]> {
  const end = msg.indexOf('\r\n\r\n')
  const lines = (end < 0 ? msg : msg.slice(0, end)).split('\r\n').slice(1)
  const unfolded: string[] = []
  for (const l of lines) {
    if (/^[ \t]/.test(l) && unfolded.length) unfolded[unfolded.length - 1] += ' ' + l.trim()
    else if (l) unfolded.push(l)
  }
  return unfolded.map((l) => {
    const c = l.indexOf(':')
    const raw = l.slice(0, c).trim().toLowerCase()
    return [COMPACT[raw] ?? raw, l.slice(c + 1).trim(), l]
  })
}

/** Every value of header `name` (case-insensitive, compact forms too). */
export const headerValues = (msg: string, name: string): string[] =>
  headerLines(msg).filter(([n]) => n === name.toLowerCase()).map(([, v]) => v)

/** The first value of header `name`. */
export const header = (msg: string, name: string): string | undefined => headerValues(msg, name)[0]

/** The full lines of header `name`, as received (for copying into a response). */
const rawLines = (msg: string, name: string): string[] => headerLines(msg).filter(([n]) => n === name.toLowerCase()).map(([, , l]) => l)

/** `tag` parameter of a From/To value. */
export const tagOf = (value: string | undefined): string => /;\s*tag=([^;>\s,]+)/i.exec(value ?? '')?.[1] ?? ''

/** The URI of a name-addr (`"x" <sip:a@b>;p`) or addr-spec value. */
export const uriOf = (value: string | undefined): string => {
  const v = value ?? ''
  return /<([^>]+)>/.exec(v)?.[1] ?? v.split(';')[0].trim()
}

/** host and port of a SIP URI (port 5060 when absent). */
export function hostPortOf(uri: string): HostPort {
  const m = /^sips?:(?:[^@]*@)?(\[[^\]]+\]|[^:;>?]+)(?::(\d+))?/i.exec(uri)
  return { host: m?.[1] ?? '127.0.0.1', port: m?.[2] ? Number(m[2]) : 5060 }
}

export const cseqOf = (msg: string): { seq: number; method: string } => {
  const [seq, method] = (header(msg, 'CSeq') ?? '0 ?').split(/\s+/)
  return { seq: Number(seq), method }
}

export const callIdOf = (msg: string): string => header(msg, 'Call-ID') ?? ''

/** True when `msg` is a response with a status in [min, max] to `method`. */
export const isResponseTo = (msg: string, method: string, min = 100, max = 699): boolean => {
  const s = statusOf(msg)
  return s >= min && s <= max && cseqOf(msg).method === method
}

/** A complete message: start line, headers, Content-Type (with a body) and Content-Length. */
export function buildMessage(first: string, headers: string[], body = '', contentType = 'application/sdp'): string {
  const lines = [first, ...headers.filter(Boolean)]
  if (body) lines.push(`Content-Type: ${contentType}`)
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`)
  return lines.join('\r\n') + '\r\n\r\n' + body
}

const REASONS: Record<number, string> = {
  100: 'Trying', 180: 'Ringing', 183: 'Session Progress', 200: 'OK', 403: 'Forbidden', 404: 'Not Found',
  408: 'Request Timeout', 480: 'Temporarily Unavailable', 481: 'Call/Transaction Does Not Exist', 486: 'Busy Here',
  487: 'Request Terminated', 488: 'Not Acceptable Here', 500: 'Server Internal Error', 503: 'Service Unavailable', 603: 'Decline',
}

export interface ResponseOptions {
  reason?: string
  /** added to To when it has no tag yet */
  toTag?: string
  /** a SIP URI, written as `Contact: <uri>` */
  contact?: string
  body?: string
  contentType?: string
  extraHeaders?: string[]
}

/** A response to `request`: its Via(s), From, To (+ our tag), Call-ID and CSeq copied. */
export function buildResponse(request: string, status: number, opts: ResponseOptions = {}): string {
  const to = header(request, 'To') ?? ''
  const toValue = opts.toTag && !tagOf(to) && status > 100 ? `${to};tag=${opts.toTag}` : to
  return buildMessage(
    `SIP/2.0 ${status} ${opts.reason ?? REASONS[status] ?? 'Unknown'}`,
    [
      ...rawLines(request, 'Via'),
      ...rawLines(request, 'Record-Route'),
      `From: ${header(request, 'From') ?? ''}`,
      `To: ${toValue}`,
      `Call-ID: ${callIdOf(request)}`,
      `CSeq: ${header(request, 'CSeq') ?? ''}`,
      opts.contact ? `Contact: <${opts.contact}>` : '',
      ...(opts.extraHeaders ?? []),
    ],
    opts.body,
    opts.contentType,
  )
}

export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'

/** The (first) direction attribute of `sdp`; `c=0.0.0.0` without one is old-style hold (sendonly). */
export function sdpDirection(sdp: string): SdpDirection {
  const d = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(sdp)?.[1] as SdpDirection | undefined
  if (d) return d
  return /^c=IN IP4 0\.0\.0\.0/m.test(sdp) ? 'sendonly' : 'sendrecv'
}

/** The direction an answerer gives to an offer (RFC 3264 §6.1). */
export function answerDirection(offer: string): SdpDirection {
  switch (sdpDirection(offer)) {
    case 'sendonly': return 'recvonly'
    case 'recvonly': return 'sendonly'
    case 'inactive': return 'inactive'
    default: return 'sendrecv'
  }
}

/** `sdp` with its direction lines set to `dir` (added when it has none) and the o= version set to `version`. */
export function withDirection(sdp: string, dir: SdpDirection, version?: number): string {
  let out = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.test(sdp)
    ? sdp.replace(/^a=(sendrecv|sendonly|recvonly|inactive)\s*$/gm, `a=${dir}`)
    : sdp.replace(/\r?\n?$/, '') + `\r\na=${dir}\r\n`
  if (version !== undefined) out = out.replace(/^(o=\S+ \S+ )\d+/m, `$1${version}`)
  return out
}

/** The m=audio address and port of `sdp` (null without an audio line). */
export function sdpAudio(sdp: string): { address: string; port: number } | null {
  const port = /^m=audio (\d+)/m.exec(sdp)?.[1]
  if (!port) return null
  return { address: /^c=IN IP4 (\S+)/m.exec(sdp)?.[1] ?? '127.0.0.1', port: Number(port) }
}

const T1 = 500
const T2 = 4000
const TIMER_H = 32_000

/**
 * A SIP endpoint on a UDP socket: records every message received, lets tests wait for
 * one, and retransmits final INVITE responses (T1 doubling, capped at T2) until the ACK
 * comes or 32 s pass (RFC 3261 §13.3.1.4, §17.2.1).
 */
export abstract class SipUdpEndpoint {
  readonly messages: string[] = []
  private waiters: Array<{ pred: (m: string) => boolean; resolve: (m: string) => void }> = []
  private readonly retransmits = new Map<string, NodeJS.Timeout>()
  private closed = false
  private unsent = 0

  protected constructor(protected readonly socket: dgram.Socket) {
    socket.on('message', (buf, rinfo) => {
      const m = buf.toString('utf8')
      this.messages.push(m)
      this.onMessage(m, { host: rinfo.address, port: rinfo.port })
      for (const w of [...this.waiters]) {
        if (w.pred(m)) {
          this.waiters.splice(this.waiters.indexOf(w), 1)
          w.resolve(m)
        }
      }
    })
  }

  protected static async bindSocket(host = '127.0.0.1'): Promise<dgram.Socket> {
    const socket = dgram.createSocket('udp4')
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(0, host, () => resolve())
    })
    return socket
  }

  /** Called for every received message, before waiters are resolved. */
  protected abstract onMessage(msg: string, from: HostPort): void

  get port(): number {
    return this.socket.address().port
  }

  /** Resolves with the first message (already received or to come) for which `pred` holds. */
  waitFor(pred: (m: string) => boolean, timeoutMs = 10_000, what = 'message'): Promise<string> {
    const seen = this.messages.find(pred)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const w = { pred, resolve: (m: string) => (clearTimeout(t), resolve(m)) }
      const t = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1)
        reject(new Error(`timed out waiting for ${what}; got:\n${this.messages.map((x) => `${startLine(x)}  [${header(x, 'CSeq') ?? ''}]`).join('\n')}`))
      }, timeoutMs)
      this.waiters.push(w)
    })
  }

  protected sendTo(text: string, to: HostPort): void {
    if (this.closed) return
    this.unsent++
    this.socket.send(Buffer.from(text), to.port, to.host, () => {
      if (--this.unsent === 0 && this.closed) this.socket.close()
    })
  }

  /** Send a final INVITE response and repeat it until `ackReceived(key)`. */
  protected sendUntilAck(key: string, text: string, to: HostPort): void {
    this.ackReceived(key)
    this.sendTo(text, to)
    const started = Date.now()
    const again = (interval: number): void => {
      const t = setTimeout(() => {
        if (Date.now() - started >= TIMER_H) return void this.retransmits.delete(key)
        this.sendTo(text, to)
        again(Math.min(interval * 2, T2))
      }, interval)
      t.unref()
      this.retransmits.set(key, t)
    }
    again(T1)
  }

  protected ackReceived(key: string): void {
    const t = this.retransmits.get(key)
    if (t) clearTimeout(t)
    this.retransmits.delete(key)
  }

  /**
   * Answer an in-dialog request the far end sent: a re-INVITE or UPDATE with an offer gets
   * 200 with `localSdp` in the mirrored direction (re-INVITE: repeated until its ACK);
   * anything else (INFO, NOTIFY, OPTIONS, BYE, …) a plain 200.
   */
  protected answerInDialog(req: string, from: HostPort, opts: { contact: string; localSdp?: string; sdpVersion: () => number }): void {
    const method = methodOf(req)
    const offer = sdpOf(req)
    if ((method === 'INVITE' || (method === 'UPDATE' && offer)) && opts.localSdp) {
      const dir = offer ? answerDirection(offer) : 'sendrecv'
      const res = buildResponse(req, 200, { contact: opts.contact, body: withDirection(opts.localSdp, dir, opts.sdpVersion()) })
      if (method === 'INVITE') this.sendUntilAck(`${callIdOf(req)} ${cseqOf(req).seq}`, res, from)
      else this.sendTo(res, from)
      return
    }
    this.sendTo(buildResponse(req, 200, method === 'INVITE' ? { contact: opts.contact } : {}), from)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    for (const t of this.retransmits.values()) clearTimeout(t)
    this.retransmits.clear()
    // a datagram handed to the socket just before close() still goes out (a 200 to BYE, say)
    if (this.unsent === 0) this.socket.close()
  }
}
