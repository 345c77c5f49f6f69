import type { Socket } from 'node:net'
import type { Logger } from 'pino'
import { parseMessage, serializeMessage, SipParseError, type SipMessage } from '../message/index.js'
import { badRequestFor } from './bad-request.js'
import type { EngineStats } from './engine-stats.js'
import type { Peer, Protocol } from './peer.js'
import { TcpTransport } from './tcp-transport.js'
import { UDP_RECV_BUFFER_BYTES, UdpTransport } from './udp-transport.js'

export interface Inbound {
  msg: SipMessage
  /** the bytes as received */
  raw: Buffer
  peer: Peer
}

export interface TransportLayerOptions {
  host: string
  port: number
  stats: EngineStats
  logger: Logger
  onMessage: (inbound: Inbound) => void
  tcpIdleTimeoutMs?: number
}

/**
 * The transport layer (RFC 3261 §18): UDP and TCP on one host:port. Parses what arrives,
 * answers unparseable requests with 400 where it can (§21.4.1), drops and counts the rest.
 */
export class TransportLayer {
  private readonly udp: UdpTransport
  private readonly tcp: TcpTransport

  constructor(private readonly opts: TransportLayerOptions) {
    this.udp = new UdpTransport({
      host: opts.host,
      port: opts.port,
      onDatagram: (buf, address, port) => this.receive(buf, { protocol: 'udp', address, port }),
    })
    this.tcp = new TcpTransport({
      host: opts.host,
      port: opts.port,
      idleTimeoutMs: opts.tcpIdleTimeoutMs,
      onMessage: (buf, socket) => this.receive(buf, tcpPeer(socket)),
      onStreamError: (err, socket) => this.rejectMalformed(err, tcpPeer(socket)),
    })
  }

  get host(): string {
    return this.opts.host
  }

  get port(): number {
    return this.opts.port
  }

  get connectionCount(): number {
    return this.tcp.connectionCount
  }

  async start(): Promise<void> {
    await this.udp.start()
    await this.tcp.start()
    // Linux reports twice what it grants; less than asked means net.core.rmem_max is lower,
    // and bursts the engine cannot read at once are dropped by the kernel (RcvbufErrors).
    const granted = process.platform === 'linux' ? this.udp.recvBufferBytes / 2 : this.udp.recvBufferBytes
    if (granted > 0 && granted < UDP_RECV_BUFFER_BYTES) {
      this.opts.logger.warn(
        { grantedBytes: granted, requestedBytes: UDP_RECV_BUFFER_BYTES },
        'UDP receive buffer capped by the kernel (raise net.core.rmem_max to avoid drops under load)',
      )
    }
  }

  async stop(): Promise<void> {
    await Promise.all([this.udp.stop(), this.tcp.stop()])
  }

  /**
   * Serialize and send. Rejects only when a TCP connection cannot be opened
   * (the transaction layer turns that into 503, RFC 3261 §8.1.3.1).
   */
  async send(msg: SipMessage | Buffer, dest: Peer): Promise<Buffer> {
    const buf = Buffer.isBuffer(msg) ? msg : serializeMessage(msg)
    this.opts.stats.sent++
    if (dest.protocol === 'udp') this.udp.send(buf, dest.address, dest.port)
    else await this.tcp.send(buf, dest.address, dest.port, dest.connection)
    return buf
  }

  /** Fire-and-forget send for retransmissions and stateless answers. */
  sendQuietly(msg: SipMessage | Buffer, dest: Peer): void {
    this.send(msg, dest).catch((err: Error) => this.opts.logger.debug({ err, dest: `${dest.address}:${dest.port}` }, 'send failed'))
  }

  private receive(buf: Buffer, peer: Peer): void {
    this.opts.stats.received++
    if (isKeepAlive(buf)) return
    let msg: SipMessage
    try {
      msg = parseMessage(buf)
    } catch (err) {
      if (err instanceof SipParseError) this.rejectMalformed(err, peer)
      else {
        this.opts.stats.dropped++
        this.opts.logger.warn({ err }, 'unexpected parser failure')
      }
      return
    }
    try {
      this.opts.onMessage({ msg, raw: buf, peer })
    } catch (err) {
      this.opts.logger.error({ err }, 'error handling SIP message')
    }
  }

  private rejectMalformed(err: SipParseError, peer: Peer): void {
    this.opts.stats.dropped++
    this.opts.logger.debug({ reason: err.message, from: `${peer.address}:${peer.port}` }, 'malformed SIP dropped')
    if (!err.partial) return
    this.opts.stats.badRequests++
    this.sendQuietly(badRequestFor(err.partial, err.message), peer)
  }
}

function tcpPeer(socket: Socket): Peer {
  return { protocol: 'tcp', address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, connection: socket }
}

/** RFC 5626 §4.4.1: CRLF keep-alives on UDP are not messages. */
function isKeepAlive(buf: Buffer): boolean {
  for (const b of buf) if (b !== 0x0d && b !== 0x0a) return false
  return true
}

export type { Protocol }
