import { LoopDeadlineTimer, monotonicMs, ON_TIME_MS, type DeadlineTimer } from './deadline-timer.js'

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
  /** what wakes the pacer at each deadline; default LoopDeadlineTimer (Node timers) */
  timer?: DeadlineTimer
  /** monotonic ms; default process.hrtime.bigint() */
  now?: () => number
  /** a client threw: reported here, the tick goes on */
  onClientError?: (err: unknown) => void
}

/** Catch up at most this many missed ticks at once after a stall; beyond that, resynchronise. */
const MAX_CATCH_UP_TICKS = 5

/**
 * ONE timer loop for every endpoint that sends locally generated frames (prompts,
 * conference mixes): not a setInterval per endpoint. Deadlines are `start + k × period`
 * on the monotonic clock (process.hrtime.bigint), so lateness of one wake-up never
 * accumulates into drift. The wake-up comes from a DeadlineTimer: the native I/O's
 * timerfd (µs precision), or Node timers plus setImmediate turns (deadline-timer.ts).
 * After an event-loop stall the missed ticks are run back to back (up to
 * MAX_CATCH_UP_TICKS) so that streams keep their real-time position.
 */
export class Pacer {
  private state = PacerState.Idle
  private readonly clients = new Set<PacerClient>()
  private readonly timer: DeadlineTimer
  private nextDeadline = 0
  private readonly periodMs: number
  private readonly now: () => number
  /** ticks run / resynchronisations after a stall (stats) */
  ticks = 0
  resyncs = 0

  constructor(private readonly opts: PacerOptions = {}) {
    this.periodMs = opts.periodMs ?? 20
    this.now = opts.now ?? monotonicMs
    this.timer = opts.timer ?? new LoopDeadlineTimer(this.now)
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
    this.timer.cancel()
    this.state = next
    if (next === PacerState.Running) {
      this.nextDeadline = this.now()
      this.timer.arm(this.nextDeadline, this.wake)
    }
  }

  private readonly wake = (): void => {
    if (this.state !== PacerState.Running) return
    const now = this.now()
    if (now - this.nextDeadline > MAX_CATCH_UP_TICKS * this.periodMs) {
      // a long stall: don't burst more than MAX_CATCH_UP_TICKS, restart the grid from now
      this.resyncs++
      this.nextDeadline = now - (MAX_CATCH_UP_TICKS - 1) * this.periodMs
    }
    while (this.state === PacerState.Running && now >= this.nextDeadline - ON_TIME_MS) {
      this.tick()
      this.nextDeadline += this.periodMs
    }
    if (this.state === PacerState.Running) this.timer.arm(this.nextDeadline, this.wake)
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
