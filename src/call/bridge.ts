import type { Call } from './call.js'

/**
 * Bridge lifecycle:
 *
 *   Connecting ──connect()──► Connected ──disconnect() / a leg ended──► Ended
 *        └───────────────── a leg ended ─────────────────────────────────┘
 */
export enum BridgeState {
  Connecting = 'connecting',
  Connected = 'connected',
  Ended = 'ended',
}

/**
 * What binds a dial's parent and child legs: their media bridged through the media
 * engine (never the other leg's SDP, SPEC §8). Both calls point at it while it lasts
 * (`call.bridge`), so live control finds "the other party" from either sid.
 */
export class Bridge {
  private state = BridgeState.Connecting
  readonly ended: Promise<void>
  private resolveEnded!: () => void

  constructor(
    readonly parent: Call,
    readonly child: Call,
  ) {
    this.ended = new Promise((r) => (this.resolveEnded = r))
    parent.bridge = this
    child.bridge = this
  }

  get current(): BridgeState {
    return this.state
  }

  /** the leg across from `call` */
  other(call: Call): Call {
    return call === this.parent ? this.child : this.parent
  }

  /** Bridge the two endpoints; resolves when audio flows both ways. */
  async connect(): Promise<void> {
    if (this.state !== BridgeState.Connecting) return
    await this.parent.requireEndpoint().bridge(this.child.requireEndpoint())
    this.state = BridgeState.Connected
  }

  /** Unbridge (when both endpoints are still open) and release both calls' link. Idempotent. */
  async disconnect(): Promise<void> {
    if (this.state === BridgeState.Ended) return
    const wasConnected = this.state === BridgeState.Connected
    this.state = BridgeState.Ended
    if (this.parent.bridge === this) this.parent.bridge = undefined
    if (this.child.bridge === this) this.child.bridge = undefined
    const a = this.parent.endpoint
    if (wasConnected && a && !a.closed) await a.unbridge().catch(() => undefined)
    this.resolveEnded()
  }
}
