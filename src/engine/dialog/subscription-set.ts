import type { Subscription } from './subscription.js'

/**
 * The subscriptions one dialog carries (RFC 6665 §4.5.2: several may share a dialog, told
 * apart by Event type and `id`; RFC 3515 §2.4.6: each REFER in a dialog makes one, `id` =
 * its CSeq). Only live ones are kept: a subscription leaves the set as it terminates.
 */
export class SubscriptionSet {
  private readonly subs: Subscription[] = []

  add(s: Subscription): void {
    this.subs.push(s)
  }

  /** The subscription an `Event` names: exact type and id first, else the first of that type. */
  find(eventType: string, id: string | undefined): Subscription | undefined {
    return this.subs.find((s) => s.eventType === eventType && s.id === id) ?? this.subs.find((s) => s.matches(eventType, id))
  }

  /** Terminate `s` and drop it; returns how many are left. */
  end(s: Subscription): number {
    s.terminate()
    const i = this.subs.indexOf(s)
    if (i >= 0) this.subs.splice(i, 1)
    return this.subs.length
  }

  /** The dialog ended: every subscription in it ends too (their timers stop). */
  endAll(): void {
    for (const s of this.subs.splice(0)) s.terminate()
  }

  get size(): number {
    return this.subs.length
  }
}
