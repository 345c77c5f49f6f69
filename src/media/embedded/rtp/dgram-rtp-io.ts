import dgram from 'node:dgram'
import type { Logger } from 'pino'
import { LoopDeadlineTimer } from '../deadline-timer.js'
import { ipv4ToNumber, numberToIpv4 } from './ipv4.js'
import { RECV_BUFFER_BYTES, type PacketHandler, type RtpIo, type RtpSocketPair } from './rtp-io.js'

/**
 * IP literals need no resolver: answering synchronously saves dns.lookup's nextTick and
 * allocation on every send.
 */
function literalLookup(
  address: string,
  _family: unknown,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  callback(null, address, 4)
}

function bindOne(host: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: 'udp4', lookup: literalLookup as never, recvBufferSize: RECV_BUFFER_BYTES })
    const onError = (err: Error): void => {
      socket.close()
      reject(err)
    }
    socket.once('error', onError)
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', onError)
      resolve(socket)
    })
  })
}

class DgramSocketPair implements RtpSocketPair {
  onRtp: PacketHandler | null = null
  onRtcp: PacketHandler | null = null
  /** the last destination's text form: the relay sends to the same address 50 times a second */
  private lastAddress = -1
  private lastAddressText = ''
  /** the last source's numeric form: packets come from the same address 50 times a second */
  private lastFromText = ''
  private lastFrom = -1
  onSendError: (() => void) | null = null

  private closed = false

  constructor(
    readonly port: number,
    private readonly rtp: dgram.Socket,
    private readonly rtcp: dgram.Socket,
    private readonly logger: Logger,
    private readonly onClosed: (pair: DgramSocketPair) => void,
  ) {
    rtp.on('message', (msg, rinfo) => this.deliver(this.onRtp, msg, rinfo))
    rtcp.on('message', (msg, rinfo) => this.deliver(this.onRtcp, msg, rinfo))
    // without an 'error' listener an asynchronous send error would be thrown out of the socket
    const onError = (): void => this.onSendError?.()
    rtp.on('error', onError)
    rtcp.on('error', onError)
  }

  /** A handler that throws is logged: out of a socket's 'message' event it would be an uncaught exception. */
  private deliver(handler: PacketHandler | null, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (handler === null) return
    try {
      if (rinfo.address !== this.lastFromText) {
        this.lastFromText = rinfo.address
        this.lastFrom = ipv4ToNumber(rinfo.address)
      }
      handler(msg, this.lastFrom, rinfo.port)
    } catch (err) {
      this.logger.warn({ err }, 'RTP packet handler threw')
    }
  }

  sendRtp(packet: Uint8Array, address: number, port: number): boolean {
    if (this.closed) return false
    if (address !== this.lastAddress) {
      this.lastAddress = address
      this.lastAddressText = numberToIpv4(address)
    }
    try {
      this.rtp.send(packet, port, this.lastAddressText)
      return true
    } catch {
      return false // closed socket, bad port
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.onClosed(this)
    this.onRtp = null
    this.onRtcp = null
    this.onSendError = null
    for (const s of [this.rtp, this.rtcp]) {
      try {
        s.close()
      } catch {
        /* already closed */
      }
    }
  }
}

/** The portable RtpIo: one Node dgram socket per port, the pacer on Node timers. */
export class DgramRtpIo implements RtpIo {
  readonly kind = 'dgram' as const
  readonly timer = new LoopDeadlineTimer()
  private readonly pairs = new Set<DgramSocketPair>()
  private closed = false

  constructor(private readonly logger: Logger) {}

  async bindPair(host: string, port: number): Promise<RtpSocketPair> {
    if (this.closed) throw Object.assign(new Error('RTP I/O is closed'), { code: 'ECANCELED' })
    const rtp = await bindOne(host, port)
    let rtcp: dgram.Socket
    try {
      rtcp = await bindOne(host, port + 1)
    } catch (err) {
      rtp.close()
      throw err
    }
    if (this.closed) {
      rtp.close()
      rtcp.close()
      throw Object.assign(new Error('RTP I/O is closed'), { code: 'ECANCELED' })
    }
    const pair = new DgramSocketPair(port, rtp, rtcp, this.logger, (p) => this.pairs.delete(p))
    this.pairs.add(pair)
    return pair
  }

  /** Closes every pair still open; the timer never fires afterwards. */
  close(): void {
    this.closed = true
    this.timer.cancel()
    for (const pair of [...this.pairs]) pair.close()
  }
}
