/**
 * Pacer state:
 *
 *   Idle ──add() of the first client──▶ Running ──last client removed / close()──▶ Idle
 */
export enum PacerState {
  Idle = 'idle',
  Running = 'running',
}

/** Called once per 20 ms tick. */
export type PacerClient = () => void

export interface PacerOptions {
  periodMs?: number
  /** monotonic ms; default process.hrtime.bigint() */
  now?: () => number
  /** a client threw: reported here, the tick goes on */
  onClientError?: (err: unknown) => void
}

/** Catch up at most this many missed ticks at once after a stall; beyond that, resynchronise. */
const MAX_CATCH_UP_TICKS = 5
/**
 * Node timers have 1 ms resolution and fire up to ~1 ms late (the loop's clock is whole
 * milliseconds): the timer is set to wake this long before the deadline, and the rest is
 * waited on setImmediate turns (I/O keeps being served between them).
 */
const EARLY_WAKE_MS = 1.5
/** Closer than this to the deadline counts as on time (one setImmediate turn of an idle loop). */
const ON_TIME_MS = 0.02

export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6
}

/**
 * ONE timer loop for every endpoint that sends locally generated frames (prompts,
 * conference mixes): not a setInterval per endpoint. Deadlines are `start + k × period`
 * on the monotonic clock (process.hrtime.bigint), so lateness of one timer never
 * accumulates into drift. Timer "tick" wakes EARLY_WAKE_MS before the deadline, then
 * timer "spin" (setImmediate turns, at most ~EARLY_WAKE_MS + 1 ms of them per tick)
 * reaches the deadline itself: ticks leave within tens of µs of their deadline on an
 * idle loop instead of 0–2 ms late.
 * After an event-loop stall the missed ticks are run back to back (up to
 * MAX_CATCH_UP_TICKS) so that streams keep their real-time position.
 */
export class Pacer {
  private state = PacerState.Idle
  private readonly clients = new Set<PacerClient>()
  private readonly timers: { tick: NodeJS.Timeout | null; spin: NodeJS.Immediate | null } = { tick: null, spin: null }
  private nextDeadline = 0
  private readonly periodMs: number
  private readonly now: () => number
  /** ticks run / resynchronisations after a stall (stats) */
  ticks = 0
  resyncs = 0

  constructor(private readonly opts: PacerOptions = {}) {
    this.periodMs = opts.periodMs ?? 20
    this.now = opts.now ?? monotonicMs
  }

  get currentState(): PacerState {
    return this.state
  }

  /** Deadline (monotonic ms) of the tick being run, or of the next one between ticks. */
  get tickDeadline(): number {
    return this.nextDeadline
  }

  get size(): number {
    return this.clients.size
  }

  /** Register a client; its first call comes at the next tick (at once when the pacer was idle). Returns its remover. */
  add(client: PacerClient): () => void {
    this.clients.add(client)
    if (this.state === PacerState.Idle) this.transition(PacerState.Running)
    return () => this.remove(client)
  }

  remove(client: PacerClient): void {
    this.clients.delete(client)
    if (this.clients.size === 0 && this.state === PacerState.Running) this.transition(PacerState.Idle)
  }

  close(): void {
    this.clients.clear()
    this.transition(PacerState.Idle)
  }

  private transition(next: PacerState): void {
    if (this.timers.tick) clearTimeout(this.timers.tick)
    if (this.timers.spin) clearImmediate(this.timers.spin)
    this.timers.tick = null
    this.timers.spin = null
    this.state = next
    if (next === PacerState.Running) {
      this.nextDeadline = this.now()
      this.schedule()
    }
  }

  /** Sleep on the timer until EARLY_WAKE_MS before the deadline, or spin when already that close. */
  private schedule(): void {
    const wait = this.nextDeadline - this.now() - EARLY_WAKE_MS
    if (wait >= 1) this.timers.tick = setTimeout(this.wake, Math.floor(wait))
    else this.timers.spin = setImmediate(this.wake)
  }

  private readonly wake = (): void => {
    this.timers.tick = null
    this.timers.spin = null
    if (this.state !== PacerState.Running) return
    const now = this.now()
    if (now < this.nextDeadline - ON_TIME_MS) {
      this.schedule() // early: another setImmediate turn (or, woken far too early, the timer again)
      return
    }
    if (now - this.nextDeadline > MAX_CATCH_UP_TICKS * this.periodMs) {
      // a long stall: don't burst more than MAX_CATCH_UP_TICKS, restart the grid from now
      this.resyncs++
      this.nextDeadline = now - (MAX_CATCH_UP_TICKS - 1) * this.periodMs
    }
    while (this.state === PacerState.Running && now >= this.nextDeadline - ON_TIME_MS) {
      this.tick()
      this.nextDeadline += this.periodMs
    }
    if (this.state === PacerState.Running) this.schedule()
  }

  private tick(): void {
    this.ticks++
    for (const client of this.clients) {
      try {
        client()
      } catch (err) {
        try {
          this.opts.onClientError?.(err)
        } catch {
          /* the reporter failed too: nothing more to do */
        }
      }
    }
  }
}
