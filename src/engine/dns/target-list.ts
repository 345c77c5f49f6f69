import type { SipTarget } from './resolve-sip-target.js'

/**
 * The targets of one request and how far it has got through them (RFC 3263 §4.3): the
 * request goes to `current`; when its transaction times out (Timer B/F), its transport
 * fails, or a 503 comes back, `advance()` moves to the next target, where a new client
 * transaction (new Via branch) starts. The app sees only the final outcome.
 *
 * ```
 *  trying(0) ──advance──► trying(1) ──advance──► … ──advance──► exhausted
 * ```
 */
export class TargetList {
  private index = 0

  constructor(private readonly targets: readonly SipTarget[]) {
    if (targets.length === 0) throw new Error('a target list needs at least one target')
  }

  get current(): SipTarget {
    return this.targets[Math.min(this.index, this.targets.length - 1)]
  }

  /** targets not tried yet */
  get remaining(): number {
    return Math.max(0, this.targets.length - this.index - 1)
  }

  /** The next target to try, or undefined when none is left. */
  advance(): SipTarget | undefined {
    if (this.index >= this.targets.length - 1) return undefined
    this.index++
    return this.targets[this.index]
  }
}
