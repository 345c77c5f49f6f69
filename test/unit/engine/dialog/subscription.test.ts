import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Subscription, SubscriptionState } from '../../../../src/engine/dialog/subscription.js'
import { SubscriptionSet } from '../../../../src/engine/dialog/subscription-set.js'

/** RFC 6665 §4.1.2 / §4.2.1: one subscription's state machine and its Expires timer. */
describe('Subscription', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  const GRACE = 1000

  it('starts pending and follows the NOTIFYs: active, pending again, then a final NOTIFY sent makes it terminating', () => {
    const s = new Subscription('presence', undefined, 60, GRACE, () => {})
    expect(s.state).toBe(SubscriptionState.Pending)
    s.notified(SubscriptionState.Active)
    expect(s.state).toBe(SubscriptionState.Active)
    s.notified(SubscriptionState.Pending)
    expect(s.state).toBe(SubscriptionState.Pending)
    expect(s.finalNotifySent()).toBe(true)
    expect(s.state).toBe(SubscriptionState.Terminating)
    // terminating only ends; a late `active` NOTIFY does not revive it
    s.notified(SubscriptionState.Active)
    expect(s.state).toBe(SubscriptionState.Terminating)
    expect(s.terminate()).toBe(true)
    expect(s.terminate()).toBe(false)
    expect(s.live).toBe(false)
  })

  it('expires on the Expires timer: its expiration time plus the grace period, once', async () => {
    const expired = vi.fn()
    const s = new Subscription('presence', undefined, 10, GRACE, expired)
    await vi.advanceTimersByTimeAsync(5_000)
    s.notified(SubscriptionState.Active) // the transition re-arms with the time left, not a fresh 10 s
    await vi.advanceTimersByTimeAsync(5_000 + GRACE - 1)
    expect(expired).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(expired).toHaveBeenCalledTimes(1)
    expect(s.state).toBe(SubscriptionState.Terminated)
  })

  it('a refresh (or a NOTIFY\'s expires=) sets a new expiration time', async () => {
    const expired = vi.fn()
    const s = new Subscription('presence', undefined, 10, GRACE, expired)
    await vi.advanceTimersByTimeAsync(9_000)
    s.expiresIn(10)
    await vi.advanceTimersByTimeAsync(10_000 + GRACE - 1)
    expect(expired).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(expired).toHaveBeenCalledTimes(1)
  })

  it('Expires: 0 (an unsubscribe) leaves only the grace period for the final NOTIFY', async () => {
    const expired = vi.fn()
    const s = new Subscription('presence', undefined, 3600, GRACE, expired)
    s.expiresIn(0)
    await vi.advanceTimersByTimeAsync(GRACE)
    expect(expired).toHaveBeenCalledTimes(1)
  })

  it('no Expires timer while terminating or after termination', async () => {
    const expired = vi.fn()
    const a = new Subscription('presence', undefined, 1, GRACE, expired)
    a.finalNotifySent()
    a.expiresIn(1) // ignored: the final NOTIFY's response ends it
    const b = new Subscription('presence', undefined, 1, GRACE, expired)
    b.terminate()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(expired).not.toHaveBeenCalled()
  })
})

/** RFC 6665 §4.5.2, RFC 3515 §2.4.6: the subscriptions of one dialog, told apart by Event type and id. */
describe('SubscriptionSet', () => {
  it('finds by exact type and id first, else the first of that type; an Event without id names the first', () => {
    const set = new SubscriptionSet()
    const refer2 = new Subscription('refer', '2', 60, 0, () => {})
    const refer5 = new Subscription('refer', '5', 60, 0, () => {})
    const presence = new Subscription('presence', undefined, 60, 0, () => {})
    set.add(refer2)
    set.add(refer5)
    set.add(presence)
    expect(set.find('refer', '5')).toBe(refer5)
    expect(set.find('refer', undefined)).toBe(refer2)
    expect(set.find('refer', '9')).toBeUndefined()
    expect(set.find('presence', 'x')).toBe(presence)
    expect(set.find('dialog', undefined)).toBeUndefined()
    for (const s of [refer2, refer5, presence]) s.terminate()
  })

  it('end() terminates and drops one and says how many are left; endAll() ends the rest', () => {
    const set = new SubscriptionSet()
    const a = new Subscription('refer', '2', 60, 0, () => {})
    const b = new Subscription('refer', '3', 60, 0, () => {})
    set.add(a)
    set.add(b)
    expect(set.end(a)).toBe(1)
    expect(a.state).toBe(SubscriptionState.Terminated)
    set.endAll()
    expect(set.size).toBe(0)
    expect(b.state).toBe(SubscriptionState.Terminated)
  })
})
