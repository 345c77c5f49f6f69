/**
 * Runs tasks one at a time, in arrival order: the per-call command queue, so two live
 * updates, or an update and a verb step, never interleave (ARCHITECTURE, call/).
 * A task that throws rejects its own promise only.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()
  private pending = 0

  run<T>(task: () => Promise<T>): Promise<T> {
    this.pending++
    const result = this.tail.then(task)
    this.tail = result.then(
      () => this.pending--,
      () => this.pending--,
    )
    return result
  }

  get busy(): boolean {
    return this.pending > 0
  }
}
