import dgram from 'node:dgram'
import dns, { lookup } from 'node:dns'
import { isIP } from 'node:net'

export interface UdpTransportOptions {
  host: string
  port: number
  onDatagram: (buf: Buffer, address: string, port: number) => void
}

/**
 * What the SIP socket asks the kernel for: at 800 calls/s about 5,000 datagrams/s arrive,
 * and a 4 MiB buffer rides out a pause of a second or so without drops.
 */
export const UDP_RECV_BUFFER_BYTES = 4 * 1024 * 1024

/** One UDP socket for SIP, receiving and sending (RFC 3261 §18). */
export class UdpTransport {
  private socket?: dgram.Socket

  constructor(private readonly opts: UdpTransportOptions) {}

  start(): Promise<void> {
    const socket = dgram.createSocket({
      type: this.opts.host.includes(':') ? 'udp6' : 'udp4',
      recvBufferSize: UDP_RECV_BUFFER_BYTES,
      sendBufferSize: 4 * 1024 * 1024,
      lookup: literalFirstLookup,
    })
    this.socket = socket
    socket.on('message', (buf, rinfo) => this.opts.onDatagram(buf, rinfo.address, rinfo.port))
    socket.on('error', () => {
      /* ICMP errors on send surface here; a datagram transport just goes on */
    })
    return new Promise((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(this.opts.port, this.opts.host, () => {
        socket.off('error', reject)
        resolve()
      })
    })
  }

  /**
   * The receive buffer the kernel granted, in bytes as the kernel counts them (Linux
   * doubles the request and caps it at 2 × net.core.rmem_max); 0 before start().
   */
  get recvBufferBytes(): number {
    try {
      return this.socket?.getRecvBufferSize() ?? 0
    } catch {
      return 0
    }
  }

  send(buf: Buffer, address: string, port: number): void {
    this.socket?.send(buf, port, address)
  }

  stop(): Promise<void> {
    const s = this.socket
    this.socket = undefined
    if (!s) return Promise.resolve()
    return new Promise((resolve) => s.close(() => resolve()))
  }
}

/**
 * dgram resolves the address of every datagram it sends, even an IP literal (then on the
 * next tick). Destinations here are nearly always literals (Via received/rport, Contact):
 * answer those at once, and hand anything else to dns.lookup.
 */
function literalFirstLookup(
  hostname: string,
  options: dns.LookupOneOptions | number,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(hostname)
  if (family !== 0) return callback(null, hostname, family)
  lookup(hostname, options as dns.LookupOneOptions, callback)
}
