import type { FrameTap } from './frame-tap.js'
import type { Pacer } from './pacer.js'

/** One 20 ms tick of both directions: what the far end said (caller), what it heard (callee); null = nothing. */
export type StereoConsumer = (caller: Int16Array | null, callee: Int16Array | null) => void

/** Frames of one direction kept ahead of the tick (arrival jitter); older ones are dropped. */
const MAX_QUEUED = 5

/**
 * Pairs an endpoint's received and sent audio tick by tick for the consumers that want
 * both (listen, record). It subscribes to the endpoint's frame taps only while it has a
 * consumer — that is what makes the endpoint decode at all — and is clocked by the
 * shared pacer, so the pairs come at real pace even when one direction is silent.
 */
export class StereoFeed {
  private readonly consumers = new Set<StereoConsumer>()
  private readonly rx: Int16Array[] = []
  private readonly tx: Int16Array[] = []
  private unsubscribe: Array<() => void> = []
  /** frames dropped because a direction ran more than MAX_QUEUED ahead */
  overflowed = 0

  constructor(
    private readonly received: FrameTap,
    private readonly sent: FrameTap,
    private readonly pacer: Pacer,
    private readonly onConsumerError: (err: unknown) => void,
  ) {}

  add(consumer: StereoConsumer): () => void {
    this.consumers.add(consumer)
    if (this.unsubscribe.length === 0) {
      this.unsubscribe = [
        this.received.add((f) => this.queue(this.rx, f)),
        this.sent.add((f) => this.queue(this.tx, f)),
        this.pacer.add(this.tick),
      ]
    }
    return () => this.remove(consumer)
  }

  private remove(consumer: StereoConsumer): void {
    this.consumers.delete(consumer)
    if (this.consumers.size > 0) return
    for (const u of this.unsubscribe) u()
    this.unsubscribe = []
    this.rx.length = 0
    this.tx.length = 0
  }

  private queue(q: Int16Array[], frame: Int16Array): void {
    if (q.length >= MAX_QUEUED) {
      q.shift()
      this.overflowed++
    }
    q.push(frame)
  }

  private readonly tick = (): void => {
    const caller = this.rx.shift() ?? null
    const callee = this.tx.shift() ?? null
    for (const c of this.consumers) {
      try {
        c(caller, callee)
      } catch (err) {
        this.onConsumerError(err)
      }
    }
  }
}
