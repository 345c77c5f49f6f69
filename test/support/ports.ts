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
 * Every port any picker in this process has handed out. A test file runs in one process
 * and often has several pickers (a harness's, one per SIPp run); a port handed out but not
 * yet bound passes the free check, so two pickers checking it before its owner binds would
 * both hand it out (seen as SIPp's "Unable to bind main socket, errno 98").
 */
const handedOut = new Set<number>()

/**
 * Hands out port numbers that are free on both UDP and TCP on `host` at the moment of
 * the check (a SIP endpoint listens on both, RFC 3261 §18). A number is never handed out
 * twice in one process, whichever picker asks, and the search starts at a random point so
 * that pickers in different processes rarely collide.
 */
export class PortPicker {
  private readonly host: string
  private readonly min: number
  private readonly max: number
  private readonly given = handedOut
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
      this.given.add(port) // held while checked, so a concurrent pick cannot check it too
      if ((await isTcpFree(this.host, port)) && (await isUdpFree(this.host, port))) return port
      this.given.delete(port)
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
      const block = Array.from({ length: count }, (_, k) => first + k)
      if (block.some((port) => this.given.has(port))) continue
      for (const port of block) this.given.add(port) // held while checked
      let free = true
      for (let k = 0; k < count && free; k++) {
        free = (await isTcpFree(this.host, block[k])) && (await isUdpFree(this.host, block[k]))
      }
      if (free) return first
      for (const port of block) this.given.delete(port)
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
