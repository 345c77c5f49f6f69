import { LivecallError } from '../../errors/index.js'

/**
 * Even RTP ports from [min, max], each with its odd neighbour reserved for RTCP
 * (RFC 3550 §11: RTP on an even port, RTCP on the next higher odd one).
 *
 * Allocation walks round-robin from where the last one stopped, so a port just released
 * is not handed out again at once (stray packets of the old call don't reach the new one).
 * Running out is a LivecallError LIVECALL_ERR_MEDIA_NO_PORTS (503), never a crash.
 */
export class PortAllocator {
  private readonly inUse = new Set<number>()
  private readonly first: number
  private readonly count: number
  private cursor = 0

  constructor(min: number, max: number) {
    this.first = min % 2 === 0 ? min : min + 1
    // a pair needs port and port+1 within range
    this.count = max >= this.first + 1 ? Math.floor((max - this.first - 1) / 2) + 1 : 0
    if (this.count <= 0) throw new LivecallError('LIVECALL_ERR_CONFIG', `RTP port range ${min}-${max} holds no even/odd pair`, 500)
  }

  get capacity(): number {
    return this.count
  }

  get used(): number {
    return this.inUse.size
  }

  /**
   * Try free ports in round-robin order until `tryBind(port)` succeeds; a port whose bind
   * fails (taken by another process) is skipped. Throws NO_PORTS after a full lap.
   */
  async allocate<T>(tryBind: (port: number) => Promise<T>): Promise<{ port: number; value: T }> {
    for (let tried = 0; tried < this.count; tried++) {
      const port = this.first + 2 * this.cursor
      this.cursor = (this.cursor + 1) % this.count
      if (this.inUse.has(port)) continue
      this.inUse.add(port)
      try {
        const value = await tryBind(port)
        return { port, value }
      } catch {
        this.inUse.delete(port)
      }
    }
    throw new LivecallError(
      'LIVECALL_ERR_MEDIA_NO_PORTS',
      `no free RTP port pair in ${this.first}-${this.first + 2 * this.count - 1} (${this.inUse.size} in use)`,
      503,
    )
  }

  release(port: number): void {
    this.inUse.delete(port)
  }
}
