/**
 * RTP-inactivity accounting of one endpoint, driven by the engine's sweep rather than
 * by a clock read per packet: the receive path only counts valid packets, and every
 * sweep compares the count with the last one. Silence accumulates only while the far
 * end is supposed to send (answered, not on hold); the timeout fires once per silence
 * and is re-armed by the next packet or by the far end stopping to send.
 */
export class EndpointInactivity {
  private lastCount = 0
  private idleMs = 0
  private fired = false

  /**
   * One sweep, `elapsedMs` after the previous one: true exactly when `timeoutMs` of
   * silence has just been reached (the caller emits `timeout`).
   */
  check(validPackets: number, expectingRtp: boolean, elapsedMs: number, timeoutMs: number): boolean {
    if (validPackets !== this.lastCount || !expectingRtp) {
      this.lastCount = validPackets
      this.idleMs = 0
      this.fired = false
      return false
    }
    this.idleMs += elapsedMs
    if (this.idleMs >= timeoutMs && !this.fired) {
      this.fired = true
      return true
    }
    return false
  }
}
