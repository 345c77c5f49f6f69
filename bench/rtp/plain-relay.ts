import dgram from 'node:dgram'

/**
 * The reference the engine is held against: the least a Node relay can do per packet
 * with one socket per leg — latch the first source (RFC 4961), drop other sources,
 * forward the same Buffer to the bridged leg's far end. No header rewrite, no stats
 * beyond two integers. `bench/rtp-load.ts --engine plain` runs the same load through it.
 */
export class PlainRelayLeg {
  partner: PlainRelayLeg | null = null
  private latchedPort = 0
  private latchedAddress = ''
  dropped = 0

  private constructor(
    readonly socket: dgram.Socket,
    readonly port: number,
    private readonly remotePort: number,
  ) {
    socket.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      if (this.latchedPort === 0) {
        this.latchedPort = rinfo.port
        this.latchedAddress = rinfo.address
      } else if (rinfo.port !== this.latchedPort || rinfo.address !== this.latchedAddress) {
        this.dropped++
        return
      }
      const p = this.partner
      if (p !== null) p.socket.send(msg, p.latchedPort || p.remotePort, '127.0.0.1')
    })
  }

  static async open(port: number, remotePort: number): Promise<PlainRelayLeg> {
    const lookup = (address: string, _o: unknown, cb: (e: null, a: string, f: number) => void): void => cb(null, address, 4)
    const s = dgram.createSocket({ type: 'udp4', lookup: lookup as never, recvBufferSize: 1 << 20, sendBufferSize: 1 << 20 })
    s.on('error', () => undefined)
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject)
      s.bind({ port, address: '127.0.0.1', exclusive: true }, () => resolve())
    })
    return new PlainRelayLeg(s, port, remotePort)
  }

  close(): void {
    this.socket.close()
  }
}
