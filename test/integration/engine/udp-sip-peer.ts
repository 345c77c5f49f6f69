import dgram from 'node:dgram'
import { getHeader, parseMessage, type SipMessage } from '../../../src/engine/message/index.js'

export interface Datagram {
  buf: Buffer
  msg: SipMessage
  at: number
}

/** A bare SIP endpoint on a UDP socket: sends what the test writes, records what arrives. */
export class UdpSipPeer {
  readonly received: Datagram[] = []
  private consumed = new Set<Datagram>()
  private waiters: Array<{ pred: (d: Datagram) => boolean; resolve: (d: Datagram) => void }> = []

  private constructor(
    private readonly socket: dgram.Socket,
    readonly port: number,
  ) {
    socket.on('message', (buf) => {
      let msg: SipMessage
      try {
        msg = parseMessage(buf)
      } catch {
        return
      }
      const d = { buf, msg, at: Date.now() }
      this.received.push(d)
      const w = this.waiters.findIndex((x) => x.pred(d))
      if (w >= 0) {
        this.consumed.add(d)
        this.waiters.splice(w, 1)[0].resolve(d)
      }
    })
  }

  static bind(port: number): Promise<UdpSipPeer> {
    const socket = dgram.createSocket('udp4')
    return new Promise((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(port, '127.0.0.1', () => {
        socket.off('error', reject)
        resolve(new UdpSipPeer(socket, port))
      })
    })
  }

  send(text: string | Buffer, port: number): void {
    this.socket.send(typeof text === 'string' ? Buffer.from(text) : text, port, '127.0.0.1')
  }

  /** The next unconsumed datagram matching `pred`, waiting for it if needed. */
  next(pred: (d: Datagram) => boolean, what = 'a datagram', timeoutMs = 3000): Promise<Datagram> {
    const found = this.received.find((d) => !this.consumed.has(d) && pred(d))
    if (found) {
      this.consumed.add(found)
      return Promise.resolve(found)
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        pred,
        resolve: (d: Datagram) => {
          clearTimeout(timer)
          resolve(d)
        },
      }
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1)
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${this.received.map((d) => startLine(d.buf)).join(', ')}`))
      }, timeoutMs)
      this.waiters.push(waiter)
    })
  }

  /** A response with this status to a request of this method. */
  response(status: number, method: string, timeoutMs?: number): Promise<Datagram> {
    return this.next((d) => isResponse(d, status, method), `${status} to ${method}`, timeoutMs)
  }

  request(method: string, timeoutMs?: number): Promise<Datagram> {
    return this.next((d) => d.msg.kind === 'request' && d.msg.method === method, `a ${method}`, timeoutMs)
  }

  /** How many datagrams so far (consumed or not) match. */
  count(pred: (d: Datagram) => boolean): number {
    return this.received.filter(pred).length
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()))
  }
}

export function isResponse(d: Datagram, status: number, method: string): boolean {
  return d.msg.kind === 'response' && d.msg.status === status && (getHeader(d.msg, 'cseq') ?? '').endsWith(` ${method}`)
}

export function startLine(buf: Buffer): string {
  const s = buf.toString('latin1')
  return s.slice(0, s.indexOf('\r\n'))
}
