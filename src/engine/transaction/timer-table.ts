/**
 * Named timers of one state machine (RFC 3261 §17 names them A–K). Setting a timer
 * that is already running replaces it; `clearAll()` runs on every terminal transition.
 */
export class TimerTable<Name extends string> {
  private readonly timers = new Map<Name, NodeJS.Timeout>()

  set(name: Name, ms: number, fn: () => void): void {
    this.clear(name)
    const t = setTimeout(() => {
      this.timers.delete(name)
      fn()
    }, ms)
    t.unref?.()
    this.timers.set(name, t)
  }

  clear(name: Name): void {
    const t = this.timers.get(name)
    if (t) {
      clearTimeout(t)
      this.timers.delete(name)
    }
  }

  clearAll(): void {
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
  }

  has(name: Name): boolean {
    return this.timers.has(name)
  }
}
