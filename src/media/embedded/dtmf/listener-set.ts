/**
 * A set of listeners for one event where a listener that throws never reaches the
 * emitter: the error is counted and handed to `onListenerError` (itself guarded).
 * Used instead of node:events because EventEmitter#emit rethrows listener errors into
 * the caller, which here would be the endpoint's RTP handler or its 20 ms tick.
 */
export class ListenerSet<F extends (...args: any[]) => void> {
  private readonly listeners: F[] = []
  /** how many listener calls threw */
  listenerErrors = 0

  constructor(private readonly onListenerError?: (err: unknown) => void) {}

  add(listener: F): void {
    this.listeners.push(listener)
  }

  remove(listener: F): void {
    const i = this.listeners.lastIndexOf(listener)
    if (i >= 0) this.listeners.splice(i, 1)
  }

  clear(): void {
    this.listeners.length = 0
  }

  get size(): number {
    return this.listeners.length
  }

  emit(...args: Parameters<F>): void {
    // copy: a listener may remove itself (or others) while we iterate
    for (const listener of this.listeners.slice()) {
      try {
        listener(...args)
      } catch (err) {
        this.listenerErrors++
        try {
          this.onListenerError?.(err)
        } catch {
          /* the error reporter itself failed; already counted */
        }
      }
    }
  }
}
