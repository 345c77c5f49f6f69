import { TimerTable } from '../transaction/timer-table.js'

/**
 * One subscription a dialog carries (RFC 6665 §4.1.2, §4.2.1): the one a SUBSCRIBE
 * created, or the implicit one of a REFER (RFC 3515 §2.4.4). Its state follows the
 * `Subscription-State` of the NOTIFYs (RFC 6665 §4.1.3, §4.2.2) and its expiry.
 *
 * ```
 *   2xx to SUBSCRIBE/REFER          NOTIFY …active
 *   ───────────────────► pending ──────────────────► active
 *                          │   ◄── NOTIFY …pending ───┘ │
 *                          │  NOTIFY …terminated sent   │
 *                          ├──────────► terminating ◄───┤
 *                          │                 │ its final response (or timeout)
 *                          ▼                 ▼          ▼  NOTIFY …terminated received,
 *                        terminated ◄────────────────────  Expires timer, dialog ended
 * ```
 * `terminating` is the one drachtio-server has implicitly: a dialog whose app sent a
 * NOTIFY with `Subscription-State: terminated` is cleared when that NOTIFY's response
 * arrives (sip-dialog-controller.cpp `doSendRequestInsideDialog`, `clearDialogOnResponse`).
 */
export enum SubscriptionState {
  /** accepted (2xx) or NOTIFY said `pending`; the Expires timer runs */
  Pending = 'pending',
  /** a NOTIFY said `active`; the Expires timer runs */
  Active = 'active',
  /** our NOTIFY with `Subscription-State: terminated` is out; ends at its final response */
  Terminating = 'terminating',
  Terminated = 'terminated',
}

/**
 * - `Expires` (pending, active): RFC 6665 §4.1.2.1 (the 2xx's Expires is the duration) and
 *   §4.1.3 (`reason=timeout`: not refreshed before it expired), a subscription not refreshed
 *   before its expiration time (the 2xx's `Expires`, or a NOTIFY's `expires=`) is over. It
 *   fires a grace period after that time, so the notifier's own final NOTIFY (`reason=timeout`),
 *   sent at that moment, still finds the dialog.
 */
export type SubscriptionTimer = 'Expires'

const ALLOWED: Record<SubscriptionState, readonly SubscriptionState[]> = {
  [SubscriptionState.Pending]: [SubscriptionState.Active, SubscriptionState.Terminating, SubscriptionState.Terminated],
  [SubscriptionState.Active]: [SubscriptionState.Pending, SubscriptionState.Terminating, SubscriptionState.Terminated],
  [SubscriptionState.Terminating]: [SubscriptionState.Terminated],
  [SubscriptionState.Terminated]: [],
}

export class Subscription {
  private stateValue = SubscriptionState.Pending
  readonly timers = new TimerTable<SubscriptionTimer>()
  /** when the subscription expires (ms since the epoch), data of pending and active */
  private deadline: number

  /**
   * @param eventType the event package, lower-case (`presence`, `refer`; RFC 6665 §8.2.1)
   * @param id the Event header's `id` parameter, if any (for REFER: the REFER's CSeq, RFC 3515 §2.4.6)
   * @param expiresS seconds until it expires
   * @param graceMs how long after expiry the Expires timer fires
   * @param onExpired run when it expired without a refresh or final NOTIFY
   */
  constructor(
    readonly eventType: string,
    readonly id: string | undefined,
    expiresS: number,
    private readonly graceMs: number,
    private readonly onExpired: (s: Subscription) => void,
  ) {
    this.deadline = Date.now() + expiresS * 1000
    this.arm()
  }

  get state(): SubscriptionState {
    return this.stateValue
  }

  get live(): boolean {
    return this.stateValue !== SubscriptionState.Terminated
  }

  /** The one guarded transition: false (and nothing changes) when `to` is not allowed from here. */
  private transition(to: SubscriptionState): boolean {
    if (!ALLOWED[this.stateValue].includes(to)) return false
    this.stateValue = to
    this.timers.clearAll()
    if (to === SubscriptionState.Pending || to === SubscriptionState.Active) this.arm()
    return true
  }

  /** A refresh (2xx to a SUBSCRIBE) or a NOTIFY's `expires=` sets a new expiration time. */
  expiresIn(seconds: number): void {
    this.deadline = Date.now() + seconds * 1000
    if (this.stateValue === SubscriptionState.Pending || this.stateValue === SubscriptionState.Active) this.arm()
  }

  /** A NOTIFY (either way) said `active` or `pending` (RFC 6665 §4.1.3). */
  notified(substate: SubscriptionState.Active | SubscriptionState.Pending): void {
    if (this.stateValue !== substate) this.transition(substate)
  }

  /** Our NOTIFY with `Subscription-State: terminated` went out. */
  finalNotifySent(): boolean {
    return this.transition(SubscriptionState.Terminating)
  }

  /** Over: a terminating NOTIFY received or answered, expiry, or the dialog ended. */
  terminate(): boolean {
    return this.transition(SubscriptionState.Terminated)
  }

  /** Does a NOTIFY's or SUBSCRIBE's `Event` (type and id) name this subscription (RFC 6665 §4.1.3)? */
  matches(eventType: string, id: string | undefined): boolean {
    return this.eventType === eventType && (id === undefined || this.id === undefined || this.id === id)
  }

  private arm(): void {
    const ms = Math.max(0, this.deadline - Date.now()) + this.graceMs
    this.timers.set('Expires', ms, () => {
      if (this.terminate()) this.onExpired(this)
    })
  }
}
