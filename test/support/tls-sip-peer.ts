import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import tls from 'node:tls'
import { methodOf } from './sip-message.js'

/** The committed test-only TLS material (test/fixtures/tls/README.md). */
export const TLS_FIXTURES = resolve(fileURLToPath(new URL('.', import.meta.url)), '../fixtures/tls')
export const tlsFixture = (name: string): string => resolve(TLS_FIXTURES, name)

/** A message the peer received, with the connection it came on. */
export interface TlsReceived {
  text: string
  socket: tls.TLSSocket
}

export interface TlsSipPeerOptions {
  /** certificate/key the peer presents; default the CA-signed `sip.pem` / `sip.key` */
  cert?: string
  key?: string
}

/**
 * A real SIP-over-TLS far end (RFC 3261 §26.2) for tests, since Debian's SIPp has no TLS:
 * a node:tls listener and client with its own Content-Length framing (RFC 3261 §18.3),
 * recording every message. Deliberately independent of the product's SIP code.
 */
export class TlsSipPeer {
  private server?: tls.Server
  private readonly sockets = new Set<tls.TLSSocket>()
  private readonly received: TlsReceived[] = []
  private waiters: Array<{ match: (m: TlsReceived) => boolean; resolve: (m: TlsReceived) => void }> = []
  /** every message received, in order */
  readonly log: string[] = []
  port = 0

  private constructor(private readonly creds: { cert: Buffer; key: Buffer }) {}

  static create(opts: TlsSipPeerOptions = {}): TlsSipPeer {
    return new TlsSipPeer({
      cert: readFileSync(opts.cert ?? tlsFixture('sip.pem')),
      key: readFileSync(opts.key ?? tlsFixture('sip.key')),
    })
  }

  /** Listen for TLS connections on 127.0.0.1:port (0: any free port). */
  async listen(port = 0): Promise<number> {
    const server = tls.createServer({ cert: this.creds.cert, key: this.creds.key }, (s) => this.adopt(s))
    server.on('tlsClientError', () => undefined)
    this.server = server
    await new Promise<void>((res, rej) => {
      server.once('error', rej)
      server.listen(port, '127.0.0.1', () => res())
    })
    this.port = (server.address() as { port: number }).port
    return this.port
  }

  /** Open a TLS connection to host:port (any certificate accepted: the engine's is self-made). */
  connect(port: number, host = '127.0.0.1'): Promise<tls.TLSSocket> {
    return new Promise((res, rej) => {
      const s = tls.connect({ host, port, cert: this.creds.cert, key: this.creds.key, rejectUnauthorized: false }, () => {
        s.off('error', rej)
        this.adopt(s)
        res(s)
      })
      s.once('error', rej)
    })
  }

  /** Local port of a connection (what goes in our Via / Contact). */
  static localPort(s: tls.TLSSocket): number {
    return s.localPort ?? 0
  }

  send(socket: tls.TLSSocket, message: string): void {
    socket.write(message)
  }

  /** The next received message `match` accepts (already received ones first). */
  waitFor(match: (m: TlsReceived) => boolean, timeoutMs = 5000, what = 'a TLS SIP message'): Promise<TlsReceived> {
    const i = this.received.findIndex(match)
    if (i >= 0) return Promise.resolve(this.received.splice(i, 1)[0])
    return new Promise((res, rej) => {
      const waiter = {
        match,
        resolve: (m: TlsReceived) => {
          clearTimeout(timer)
          res(m)
        },
      }
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter)
        rej(new Error(`TLS peer: timed out after ${timeoutMs} ms waiting for ${what}; got:\n${this.log.map((l) => l.split('\r\n')[0]).join('\n')}`))
      }, timeoutMs)
      this.waiters.push(waiter)
    })
  }

  /** The next request of `method`. */
  request(method: string, timeoutMs?: number): Promise<TlsReceived> {
    return this.waitFor((m) => methodOf(m.text) === method, timeoutMs, `a ${method}`)
  }

  /** The next response with a status in [min, max] to `method`. */
  response(method: string, min = 100, max = 699, timeoutMs?: number): Promise<TlsReceived> {
    return this.waitFor((m) => {
      if (methodOf(m.text) !== '') return false
      const status = Number(m.text.split(' ')[1])
      const cseq = /\r\nCSeq:\s*\d+\s+(\S+)/i.exec(m.text)?.[1]
      return cseq === method && status >= min && status <= max
    }, timeoutMs, `a ${min}-${max} response to ${method}`)
  }

  get connectionCount(): number {
    return this.sockets.size
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    this.sockets.clear()
    const server = this.server
    this.server = undefined
    if (server) await new Promise<void>((res) => server.close(() => res()))
  }

  private adopt(socket: tls.TLSSocket): void {
    this.sockets.add(socket)
    let buf = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      for (;;) {
        while (buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a) buf = buf.subarray(2) // keep-alive CRLFs
        const end = buf.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = buf.subarray(0, end).toString()
        const length = Number(/\r\n(?:Content-Length|l)\s*:\s*(\d+)/i.exec(head)?.[1] ?? 0)
        if (buf.length < end + 4 + length) return
        const text = buf.subarray(0, end + 4 + length).toString()
        buf = buf.subarray(end + 4 + length)
        this.deliver({ text, socket })
      }
    })
    socket.on('error', () => undefined)
    socket.on('close', () => this.sockets.delete(socket))
  }

  private deliver(m: TlsReceived): void {
    this.log.push(m.text)
    const w = this.waiters.find((x) => x.match(m))
    if (w) {
      this.waiters = this.waiters.filter((x) => x !== w)
      w.resolve(m)
    } else {
      this.received.push(m)
    }
  }
}
