import type { Socket } from 'node:net'
import type { Logger } from 'pino'
import { parseMessage, serializeMessage, SipParseError, type SipMessage } from '../message/index.js'
import { badRequestFor } from './bad-request.js'
import type { EngineStats } from './engine-stats.js'
import type { Peer, Protocol } from './peer.js'
import { TcpTransport } from './tcp-transport.js'
import { TlsTransport, type TlsCredentials } from './tls-transport.js'
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
  /** SIP over TLS on host:tls.port (RFC 3261 §26.2); off when absent */
  tls?: { port: number; credentials: TlsCredentials }
}

/**
 * The transport layer (RFC 3261 §18): UDP and TCP on one host:port. Parses what arrives,
 * answers unparseable requests with 400 where it can (§21.4.1), drops and counts the rest.
 */
export class TransportLayer {
  private readonly udp: UdpTransport
  private readonly tcp: TcpTransport
  private readonly tls?: TlsTransport

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
    if (opts.tls) {
      this.tls = new TlsTransport({
        host: opts.host,
        port: opts.tls.port,
        idleTimeoutMs: opts.tcpIdleTimeoutMs,
        credentials: opts.tls.credentials,
        onMessage: (buf, socket) => this.receive(buf, tcpPeer(socket, 'tls')),
        onStreamError: (err, socket) => this.rejectMalformed(err, tcpPeer(socket, 'tls')),
      })
    }
  }

  get host(): string {
    return this.opts.host
  }

  get port(): number {
    return this.opts.port
  }

  /** the TLS port, when TLS is on */
  get tlsPort(): number | undefined {
    return this.opts.tls?.port
  }

  get connectionCount(): number {
    return this.tcp.connectionCount + (this.tls?.connectionCount ?? 0)
  }

  async start(): Promise<void> {
    await this.udp.start()
    await this.tcp.start()
    try {
      await this.tls?.start()
    } catch (err) {
      await Promise.all([this.udp.stop(), this.tcp.stop()])
      throw err
    }
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
    await Promise.all([this.udp.stop(), this.tcp.stop(), this.tls?.stop()])
  }

  /**
   * Serialize and send. Rejects only when a TCP or TLS connection cannot be opened
   * (the transaction layer turns that into 503, RFC 3261 §8.1.3.1).
   */
  async send(msg: SipMessage | Buffer, dest: Peer): Promise<Buffer> {
    const buf = Buffer.isBuffer(msg) ? msg : serializeMessage(msg)
    this.opts.stats.sent++
    if (dest.protocol === 'udp') this.udp.send(buf, dest.address, dest.port)
    else if (dest.protocol === 'tcp') await this.tcp.send(buf, dest.address, dest.port, dest.connection)
    else if (this.tls) await this.tls.send(buf, dest.address, dest.port, dest.connection, dest.serverName)
    else throw new Error('SIP over TLS is not configured')
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

function tcpPeer(socket: Socket, protocol: 'tcp' | 'tls' = 'tcp'): Peer {
  return { protocol, address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, connection: socket }
}

/** RFC 5626 §4.4.1: CRLF keep-alives on UDP are not messages. */
function isKeepAlive(buf: Buffer): boolean {
  for (const b of buf) if (b !== 0x0d && b !== 0x0a) return false
  return true
}

export type { Protocol }
