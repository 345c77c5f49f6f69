/**
 * Typed events where a listener that throws never reaches the emitter (node:events would
 * rethrow into our socket handler or pacer tick). Errors go to `onListenerError`.
 */
export class SafeEmitter<Events extends { [K in keyof Events]: (...args: any[]) => void }> {
  private readonly listeners = new Map<keyof Events, Set<(...args: any[]) => void>>()

  constructor(private readonly onListenerError: (event: string, err: unknown) => void) {}

  on<E extends keyof Events>(event: E, listener: Events[E]): void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    set.add(listener)
  }

  off<E extends keyof Events>(event: E, listener: Events[E]): void {
    this.listeners.get(event)?.delete(listener)
  }

  emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    const set = this.listeners.get(event)
    if (!set) return
    for (const l of [...set]) {
      try {
        l(...args)
      } catch (err) {
        try {
          this.onListenerError(String(event), err)
        } catch {
          /* reporter failed */
        }
      }
    }
  }

  clear(): void {
    this.listeners.clear()
  }
}
