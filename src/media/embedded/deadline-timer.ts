/**
 * A one-shot wake-up at an absolute monotonic deadline (ms, as process.hrtime), the
 * pacer's only clock. `arm` replaces any pending wake-up; `onFire` runs at the deadline
 * or as soon after it as the event loop allows — never before it with the native timer,
 * at most ON_TIME_MS (20 µs) before it with LoopDeadlineTimer.
 *
 * Two implementations: the native I/O's timerfd (µs precision, rtp/native-rtp-io.ts) and
 * LoopDeadlineTimer below for the dgram fallback.
 */
export interface DeadlineTimer {
  arm(deadlineMs: number, onFire: () => void): void
  cancel(): void
}

export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6
}

/**
 * Node timers have 1 ms resolution and fire up to ~1 ms late (the loop's clock is whole
 * milliseconds): the timer is set to wake this long before the deadline, and the rest is
 * waited on setImmediate turns (I/O keeps being served between them).
 */
const EARLY_WAKE_MS = 1.5
/** Closer than this to the deadline counts as on time (one setImmediate turn of an idle loop). */
export const ON_TIME_MS = 0.02

/**
 * The deadline on Node's own timers: timer "sleep" (setTimeout) until EARLY_WAKE_MS
 * before it, then timer "spin" (setImmediate turns, at most ~EARLY_WAKE_MS + 1 ms of them)
 * reaches the deadline itself. Precise to tens of µs on an idle loop, at the price of the
 * spinning turns.
 */
export class LoopDeadlineTimer implements DeadlineTimer {
  private readonly timers: { sleep: NodeJS.Timeout | null; spin: NodeJS.Immediate | null } = { sleep: null, spin: null }
  private deadline = 0
  private onFire: (() => void) | null = null

  constructor(private readonly now: () => number = monotonicMs) {}

  arm(deadlineMs: number, onFire: () => void): void {
    this.cancel()
    this.deadline = deadlineMs
    this.onFire = onFire
    this.schedule()
  }

  cancel(): void {
    if (this.timers.sleep) clearTimeout(this.timers.sleep)
    if (this.timers.spin) clearImmediate(this.timers.spin)
    this.timers.sleep = null
    this.timers.spin = null
    this.onFire = null
  }

  private schedule(): void {
    const wait = this.deadline - this.now() - EARLY_WAKE_MS
    if (wait >= 1) this.timers.sleep = setTimeout(this.wake, Math.floor(wait))
    else this.timers.spin = setImmediate(this.wake)
  }

  private readonly wake = (): void => {
    this.timers.sleep = null
    this.timers.spin = null
    const onFire = this.onFire
    if (onFire === null) return
    if (this.now() < this.deadline - ON_TIME_MS) {
      this.schedule()
      return
    }
    this.onFire = null
    onFire()
  }
}
