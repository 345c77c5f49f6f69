import type { ObservedBridge, ObservedListen } from './observers.js'

/** The four families of updates the bench drives; each call gets one family for the whole run, so updates never conflict by design. */
export type Family = 'mute' | 'hold' | 'whisper' | 'listen'
export const FAMILIES: Family[] = ['mute', 'hold', 'whisper', 'listen']

/** One call the scheduler can update. `on` = muted / held / listen paused. */
export interface Target {
  family: Family
  sid: string
  on: boolean
  /** an update (and, for observers, its observation) is in flight */
  busy: boolean
  bridge?: ObservedBridge
  listen?: ObservedListen
}

/**
 * Round-robin over each family's calls; mute/hold/whisper alternate between an observer
 * call and a SIPp call so that half the updates are measured on the wire. A busy call is
 * skipped (never two racing updates on one call).
 */
export class Plan {
  private readonly pools = new Map<string, Target[]>()
  private readonly cursor = new Map<string, number>()
  private flip = new Map<Family, boolean>()
  skipped = 0

  add(t: Target, observed: boolean): void {
    const key = `${t.family}:${observed ? 'obs' : 'sipp'}`
    const list = this.pools.get(key) ?? []
    list.push(t)
    this.pools.set(key, list)
  }

  size(family: Family, observed: boolean): number {
    return this.pools.get(`${family}:${observed ? 'obs' : 'sipp'}`)?.length ?? 0
  }

  next(family: Family): Target | undefined {
    const obsFirst = !(this.flip.get(family) ?? false)
    this.flip.set(family, obsFirst)
    for (const observed of obsFirst ? [true, false] : [false, true]) {
      const t = this.take(`${family}:${observed ? 'obs' : 'sipp'}`)
      if (t) return t
    }
    this.skipped++
    return undefined
  }

  private take(key: string): Target | undefined {
    const list = this.pools.get(key)
    if (!list?.length) return undefined
    const start = this.cursor.get(key) ?? 0
    for (let i = 0; i < list.length; i++) {
      const t = list[(start + i) % list.length]
      if (!t.busy) {
        this.cursor.set(key, (start + i + 1) % list.length)
        return t
      }
    }
    return undefined
  }
}
