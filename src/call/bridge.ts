import type { Call } from './call.js'
import { SerialQueue } from './serial-queue.js'

/**
 * Bridge lifecycle:
 *
 *   Connecting ──connect()──► Connected ──disconnect() / a leg ended──► Ended
 *        │                        └──release()──► Released (the child leaves the dial alive)
 *        └───────────────── a leg ended ─────────────────────────────► Ended
 */
export enum BridgeState {
  Connecting = 'connecting',
  Connected = 'connected',
  Released = 'released',
  Ended = 'ended',
}

/** Why the two parties' audio is cut while the bridge lasts (each live feature its own reason). */
export enum PauseReason {
  Hold = 'hold',
  Whisper = 'whisper',
}

/**
 * What binds a dial's parent and child legs: their media bridged through the media
 * engine (never the other leg's SDP, SPEC §8). Both calls point at it while it lasts
 * (`call.bridge`), so live control finds "the other party" from either sid. Live
 * features cut the audio for a reason (hold, whisper); the endpoints are bridged
 * exactly when the bridge is connected and no reason is left — derived in one place.
 * Media changes run one at a time: a bridge takes FreeSWITCH a moment, and a release that
 * looked while it was under way saw nothing bridged yet and left both legs bridged.
 */
export class Bridge {
  private state = BridgeState.Connecting
  private readonly pauses = new Set<PauseReason>()
  private bridged = false
  private readonly media = new SerialQueue()
  readonly ended: Promise<BridgeState>
  private resolveEnded!: (how: BridgeState) => void

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

  get connected(): boolean {
    return this.state === BridgeState.Connected
  }

  paused(reason: PauseReason): boolean {
    return this.pauses.has(reason)
  }

  /** the leg across from `call` */
  other(call: Call): Call {
    return call === this.parent ? this.child : this.parent
  }

  /** Bridge the two endpoints; resolves when audio flows both ways. */
  async connect(): Promise<void> {
    if (this.state !== BridgeState.Connecting) return
    this.state = BridgeState.Connected
    await this.apply()
  }

  /** Cut (or restore) the audio between the parties for `reason`; resolves once the media did it. */
  async pause(reason: PauseReason, paused: boolean): Promise<void> {
    if (paused) this.pauses.add(reason)
    else this.pauses.delete(reason)
    await this.apply()
  }

  /** The child leaves the dial and lives on (child_call_hook): unbridged, links dropped, not hung up. */
  async release(): Promise<void> {
    await this.finish(BridgeState.Released)
  }

  /** Unbridge (when both endpoints are still open) and drop both calls' link. Idempotent. */
  async disconnect(): Promise<void> {
    await this.finish(BridgeState.Ended)
  }

  private async finish(how: BridgeState.Released | BridgeState.Ended): Promise<void> {
    if (this.state === BridgeState.Ended || this.state === BridgeState.Released) return
    this.state = how
    if (this.parent.bridge === this) this.parent.bridge = undefined
    if (this.child.bridge === this) this.child.bridge = undefined
    await this.apply()
    this.resolveEnded(how)
  }

  private apply(): Promise<void> {
    return this.media.run(() => this.applyNow())
  }

  private async applyNow(): Promise<void> {
    const want = this.state === BridgeState.Connected && this.pauses.size === 0
    if (want === this.bridged) return
    const a = this.parent.endpoint
    const b = this.child.endpoint
    if (want) {
      await this.parent.requireEndpoint().bridge(this.child.requireEndpoint())
      this.bridged = true
    } else {
      this.bridged = false
      if (a && !a.closed) await a.unbridge().catch(() => undefined)
      else if (b && !b.closed) await b.unbridge().catch(() => undefined)
    }
  }
}
