import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'

/** The range tests take SIP (and SIPp control/media) ports from. */
export const TEST_PORT_MIN = 15000
export const TEST_PORT_MAX = 17999

export interface PortPickerOptions {
  host?: string
  min?: number
  max?: number
}

/**
 * Hands out port numbers that are free on both UDP and TCP on `host` at the moment of
 * the check (a SIP endpoint listens on both, RFC 3261 §18). Numbers are never handed out
 * twice by the same picker, and the search starts at a random point so that pickers in
 * different processes rarely collide.
 */
export class PortPicker {
  private readonly host: string
  private readonly min: number
  private readonly max: number
  private readonly given = new Set<number>()
  private next: number

  constructor(opts: PortPickerOptions = {}) {
    this.host = opts.host ?? '127.0.0.1'
    this.min = opts.min ?? TEST_PORT_MIN
    this.max = opts.max ?? TEST_PORT_MAX
    this.next = this.min + Math.floor(Math.random() * (this.max - this.min + 1))
  }

  /** A port free on UDP and TCP. Rejects when the whole range is taken. */
  async pick(): Promise<number> {
    const span = this.max - this.min + 1
    for (let i = 0; i < span; i++) {
      const port = this.advance()
      if (this.given.has(port)) continue
      if ((await isTcpFree(this.host, port)) && (await isUdpFree(this.host, port))) {
        this.given.add(port)
        return port
      }
    }
    throw new Error(`no free UDP+TCP port in ${this.min}-${this.max} on ${this.host}`)
  }

  /** `count` distinct free ports. */
  async pickMany(count: number): Promise<number[]> {
    const out: number[] = []
    for (let i = 0; i < count; i++) out.push(await this.pick())
    return out
  }

  /**
   * The first of `count` consecutive ports, all free on UDP and TCP (SIPp's -mp takes its
   * media port and the ones after it: audio echo, video echo at +2, RTP streams).
   */
  async pickBlock(count: number): Promise<number> {
    const span = this.max - this.min + 1
    for (let i = 0; i < span; i++) {
      const first = this.advance()
      if (first + count - 1 > this.max) continue
      let free = true
      for (let port = first; port < first + count && free; port++) {
        free = !this.given.has(port) && (await isTcpFree(this.host, port)) && (await isUdpFree(this.host, port))
      }
      if (!free) continue
      for (let port = first; port < first + count; port++) this.given.add(port)
      return first
    }
    throw new Error(`no ${count} consecutive free UDP+TCP ports in ${this.min}-${this.max} on ${this.host}`)
  }

  private advance(): number {
    const port = this.next
    this.next = port >= this.max ? this.min : port + 1
    return port
  }
}

function isTcpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)))
  })
}

function isUdpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket({ type: 'udp4', reuseAddr: false })
    sock.once('error', () => {
      try {
        sock.close()
      } catch {
        // never bound: nothing to close
      }
      resolve(false)
    })
    sock.bind({ address: host, port, exclusive: true }, () => sock.close(() => resolve(true)))
  })
}

/** True when something is listening on `port` for `transport` (the bind attempt fails). */
export async function isPortBound(transport: 'udp' | 'tcp', port: number, host = '127.0.0.1'): Promise<boolean> {
  return transport === 'udp' ? !(await isUdpFree(host, port)) : !(await isTcpFree(host, port))
}
