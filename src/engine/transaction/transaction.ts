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
  /** the parsed request; dropped by `release()` once the transaction only absorbs retransmissions */
  private requestValue?: SipRequest

  protected constructor(
    readonly key: string,
    request: SipRequest,
    /** the far end: where requests (client) or responses (server) go */
    readonly peer: Peer,
    protected readonly ctx: TransactionContext,
    private stateValue: State,
    private readonly terminatedState: State,
  ) {
    this.requestValue = request
  }

  /**
   * The request that created the transaction. Only read while the transaction still holds
   * call state (before its final response); after that it is released.
   */
  get request(): SipRequest {
    if (!this.requestValue) throw new Error(`transaction ${this.key}: request already released`)
    return this.requestValue
  }

  /**
   * Called when the transaction moves to a state that only absorbs retransmissions
   * (Timers D, I, J, K, M: up to 32 s over UDP, tens of thousands of transactions under
   * load): drop the parsed request and anything else a subclass no longer needs, keeping
   * only the key and the bytes needed to answer a retransmission.
   */
  protected release(): void {
    this.requestValue = undefined
  }

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
