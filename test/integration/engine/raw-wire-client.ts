import { randomUUID } from 'node:crypto'
import net from 'node:net'

/** One message from the engine: the `|`-separated leader and the SIP part after the first CRLF. */
export interface WireMessage {
  tokens: string[]
  leader: string
  sip: Buffer
}

/**
 * A drachtio wire-protocol client written from the spec (drachtio-protocol.md §A.1), not
 * from the engine's code: `<len>#<payload>` with len in bytes, leader split at the first
 * CRLF. It records every message and lets a test wait for the next one that matches.
 */
export class RawWireClient {
  readonly closed: Promise<void>
  private buf = Buffer.alloc(0)
  private readonly queue: WireMessage[] = []
  private readonly waiters: Array<{ pred: (m: WireMessage) => boolean; resolve: (m: WireMessage) => void }> = []

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => this.onData(chunk))
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()))
    socket.on('error', () => undefined)
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawWireClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port }, () => {
        socket.off('error', reject)
        resolve(new RawWireClient(socket))
      })
      socket.once('error', reject)
    })
  }

  /** Send `<msgId>|<leader>[CRLF<sip>]`; returns the msgId. */
  send(leader: string, sip?: string | Buffer): string {
    const msgId = randomUUID()
    const head = Buffer.from(`${msgId}|${leader}`, 'utf8')
    const payload = sip === undefined ? head : Buffer.concat([head, Buffer.from('\r\n'), Buffer.from(sip)])
    this.socket.write(Buffer.concat([Buffer.from(`${payload.length}#`), payload]))
    return msgId
  }

  /** The next message matching `pred` (already received or still to come); it is consumed. */
  next(pred: (m: WireMessage) => boolean, what = 'a wire message', timeoutMs = 3000): Promise<WireMessage> {
    const i = this.queue.findIndex(pred)
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0])
    return new Promise((resolve, reject) => {
      const waiter = {
        pred,
        resolve: (m: WireMessage) => {
          clearTimeout(timer)
          resolve(m)
        },
      }
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1)
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; unconsumed: ${JSON.stringify(this.queue.map((m) => m.leader))}`))
      }, timeoutMs)
      this.waiters.push(waiter)
    })
  }

  /** The reply to our message `msgId`: `<uuid>|response|<msgId>|…`. */
  reply(msgId: string, timeoutMs?: number): Promise<WireMessage> {
    return this.next((m) => m.tokens[1] === 'response' && m.tokens[2] === msgId, `the reply to ${msgId}`, timeoutMs)
  }

  /** A `sip` notification whose SIP part starts with `startLine`. */
  sip(startLine: string, timeoutMs?: number): Promise<WireMessage> {
    return this.next((m) => m.tokens[1] === 'sip' && m.sip.toString('latin1').startsWith(startLine), `sip "${startLine}"`, timeoutMs)
  }

  /** Messages received and not consumed yet. */
  pending(): WireMessage[] {
    return [...this.queue]
  }

  async authenticate(secret: string): Promise<WireMessage> {
    return this.reply(this.send(`authenticate|${secret}|`))
  }

  async route(verb: string): Promise<WireMessage> {
    return this.reply(this.send(`route|${verb}`))
  }

  close(): void {
    this.socket.destroy()
  }

  private onData(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk])
    for (;;) {
      const hash = this.buf.indexOf('#')
      if (hash < 0) return
      const len = Number(this.buf.toString('latin1', 0, hash))
      if (!Number.isInteger(len)) throw new Error(`bad frame from the engine: ${this.buf.toString('latin1', 0, 40)}`)
      if (this.buf.length < hash + 1 + len) return
      const payload = this.buf.subarray(hash + 1, hash + 1 + len)
      this.buf = this.buf.subarray(hash + 1 + len)
      const crlf = payload.indexOf('\r\n')
      const leader = payload.toString('utf8', 0, crlf < 0 ? payload.length : crlf)
      const msg: WireMessage = { leader, tokens: leader.split('|'), sip: crlf < 0 ? Buffer.alloc(0) : Buffer.from(payload.subarray(crlf + 2)) }
      const w = this.waiters.findIndex((x) => x.pred(msg))
      if (w >= 0) this.waiters.splice(w, 1)[0].resolve(msg)
      else this.queue.push(msg)
    }
  }
}
