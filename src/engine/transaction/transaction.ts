import type { SipRequest } from '../message/index.js'
import type { Peer } from '../transport/peer.js'
import type { TransportLayer } from '../transport/transport-layer.js'
import { TimerTable } from './timer-table.js'
import type { TimerValues } from './timer-values.js'

export interface TransactionContext {
  transport: TransportLayer
  timers: TimerValues
}

/**
 * What every RFC 3261 §17 transaction shares: a state enum moved only by `transition()`,
 * a table of named timers cleared on termination, and a terminated hook for the layer
 * that indexes it.
 */
export abstract class Transaction<State extends string, TimerName extends string> {
  readonly timers = new TimerTable<TimerName>()
  private terminatedListeners: Array<() => void> = []

  protected constructor(
    readonly key: string,
    readonly request: SipRequest,
    /** the far end: where requests (client) or responses (server) go */
    readonly peer: Peer,
    protected readonly ctx: TransactionContext,
    private stateValue: State,
    private readonly terminatedState: State,
  ) {}

  get state(): State {
    return this.stateValue
  }

  get terminated(): boolean {
    return this.stateValue === this.terminatedState
  }

  get reliable(): boolean {
    return this.peer.protocol !== 'udp'
  }

  /** Only legal moves happen; moving to the terminal state clears every timer and notifies once. */
  protected transition(to: State, allowedFrom: readonly State[]): boolean {
    if (!allowedFrom.includes(this.stateValue)) return false
    this.stateValue = to
    if (to === this.terminatedState) {
      this.timers.clearAll()
      const listeners = this.terminatedListeners
      this.terminatedListeners = []
      for (const l of listeners) l()
    }
    return true
  }

  /**
   * Send the request for the first time. A transport failure (TCP connect refused)
   * terminates the transaction and is reported through `onError` (§8.1.3.1: as a 503).
   */
  protected async sendFirst(buf: Buffer, initial: State, onError: (err: Error) => void): Promise<boolean> {
    try {
      await this.ctx.transport.send(buf, this.peer)
      return true
    } catch (err) {
      if (this.transition(this.terminatedState, [initial])) onError(err as Error)
      return false
    }
  }

  /** Retransmit `buf` on timer `name`: first after `first` ms, then after `next(previous)` ms. */
  protected retransmitOn(name: TimerName, buf: Buffer, first: number, next: (interval: number) => number): void {
    let interval = first
    const fire = () => {
      this.ctx.transport.sendQuietly(buf, this.peer)
      interval = next(interval)
      this.timers.set(name, interval, fire)
    }
    this.timers.set(name, interval, fire)
  }

  onTerminated(listener: () => void): void {
    if (this.terminated) listener()
    else this.terminatedListeners.push(listener)
  }

  /** Stop all timers and terminate now (engine shutdown). */
  abstract destroy(): void
}

/** Retransmission interval doubling capped at T2 (RFC 3261 §17.1.2.2, §17.2.1). */
export function backoff(interval: number, t2: number): number {
  return Math.min(interval * 2, t2)
}
