/**
 * Runs tasks one after another per key, and tasks of different keys concurrently.
 * A key's entry is removed once its last task has settled, so finished keys (ended
 * calls) leave nothing behind. Used so status callbacks of one call arrive in order.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>()
  private readonly pending = new Set<Promise<void>>()

  /** Queues `task` after every task already queued under `key`; a failing task does not stop the next. */
  push(key: string, task: () => Promise<void>): void {
    const previous = this.tails.get(key) ?? Promise.resolve()
    const run = previous.then(task).catch(() => undefined)
    this.tails.set(key, run)
    this.track(run)
    void run.then(() => {
      if (this.tails.get(key) === run) this.tails.delete(key)
    })
  }

  /** Lets `drain()` wait for a promise that is not keyed. */
  track(promise: Promise<unknown>): void {
    const settled = promise.then(
      () => undefined,
      () => undefined,
    )
    this.pending.add(settled)
    void settled.then(() => this.pending.delete(settled))
  }

  /** Number of keys with queued or running tasks. */
  get size(): number {
    return this.tails.size
  }

  /** Resolves once every task queued so far, and every task queued meanwhile, has settled. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending])
  }
}
