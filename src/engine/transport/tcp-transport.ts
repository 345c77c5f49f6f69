import net from 'node:net'
import { closeServer, listen } from '../../util/listen.js'
import { SipStreamFramer, SipParseError } from '../message/index.js'
import { peerKey } from './peer.js'

export interface TcpTransportOptions {
  host: string
  port: number
  /** a complete framed message from a connection */
  onMessage: (buf: Buffer, socket: net.Socket) => void
  /** the stream could not be framed; the connection is closed after this */
  onStreamError: (err: SipParseError, socket: net.Socket) => void
  /** idle connections (no traffic either way) are closed after this, default 60 s */
  idleTimeoutMs?: number
}

/**
 * SIP over TCP (RFC 3261 §18.3): a listening server plus a pool of connections keyed by
 * remote address:port, reused in both directions. Framing by Content-Length.
 */
export class TcpTransport {
  private server?: net.Server
  private readonly connections = new Map<string, net.Socket>()
  private readonly connecting = new Map<string, Promise<net.Socket>>()

  constructor(protected readonly opts: TcpTransportOptions) {}

  get connectionCount(): number {
    return this.connections.size
  }

  start(): Promise<void> {
    const server = this.createServer((socket) => this.adopt(socket))
    this.server = server
    return listen(server, this.opts.port, this.opts.host)
  }

  /** The listening server; TLS overrides it (its connections arrive after the handshake). */
  protected createServer(onConnection: (socket: net.Socket) => void): net.Server {
    return net.createServer(onConnection)
  }

  /** Open a connection; resolves once it can carry SIP (TLS: after the handshake). */
  protected dial(address: string, port: number, _serverName?: string): Promise<net.Socket> {
    return new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect({ host: address, port, localAddress: this.opts.host })
      socket.once('connect', () => {
        socket.off('error', reject)
        resolve(socket)
      })
      socket.once('error', reject)
    })
  }

  /** The live connection to this peer, if any. */
  find(address: string, port: number): net.Socket | undefined {
    return this.connections.get(peerKey({ address, port }))
  }

  /**
   * Send on an existing connection to the peer, or open one (RFC 3261 §18.1.1).
   * `serverName`: for TLS, the name the peer's certificate is checked against (RFC 5922 §4).
   */
  async send(buf: Buffer, address: string, port: number, via?: net.Socket, serverName?: string): Promise<void> {
    let socket = via && !via.destroyed ? via : this.find(address, port)
    if (!socket) socket = await this.connect(address, port, serverName)
    socket.write(buf)
  }

  private connect(address: string, port: number, serverName?: string): Promise<net.Socket> {
    const key = peerKey({ address, port })
    const pending = this.connecting.get(key)
    if (pending) return pending
    const p = this.dial(address, port, serverName)
      .then((socket) => {
        this.adopt(socket, key)
        return socket
      })
      .finally(() => this.connecting.delete(key))
    this.connecting.set(key, p)
    return p
  }

  private adopt(socket: net.Socket, key = peerKey({ address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 })): void {
    socket.setNoDelay(true)
    this.connections.set(key, socket)
    const framer = new SipStreamFramer()
    socket.setTimeout(this.opts.idleTimeoutMs ?? 60_000, () => socket.destroy())
    socket.on('data', (chunk) => {
      let items: Array<Buffer | 'ping'>
      try {
        items = framer.push(chunk)
      } catch (err) {
        if (err instanceof SipParseError) this.opts.onStreamError(err, socket)
        socket.destroy()
        return
      }
      for (const item of items) {
        if (item === 'ping') socket.write('\r\n') // RFC 5626 §3.5.1 pong
        else this.opts.onMessage(item, socket)
      }
    })
    socket.on('error', () => socket.destroy())
    socket.on('close', () => {
      if (this.connections.get(key) === socket) this.connections.delete(key)
    })
  }

  stop(): Promise<void> {
    for (const s of this.connections.values()) s.destroy()
    this.connections.clear()
    const server = this.server
    this.server = undefined
    return closeServer(server)
  }
}
