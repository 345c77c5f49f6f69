import type { Logger } from 'pino'
import type { LoadAudio } from './audio-loader.js'
import type { ConferenceHub } from './conference-hub.js'
import type { FrameTap } from './frame-tap.js'
import type { Pacer } from './pacer.js'
import type { OutgoingSource } from './rtp/outgoing-stream.js'
import type { StereoFeed } from './stereo-feed.js'

/** Ends one listen or recording; the endpoint calls every registered one on close. */
export type FeatureStop = () => Promise<unknown>

/**
 * What the feature attachments of an EmbeddedEndpoint (endpoint-prompt.ts,
 * endpoint-listen.ts, endpoint-recording.ts, endpoint-conference.ts) may see of it: the
 * engine's shared services, the endpoint's frame taps and stereo feed, and the few
 * operations on its outgoing stream they drive. The endpoint builds one such object
 * over its private members and hands it to each attachment, so that imports flow one
 * way (the attachments never import the endpoint) and the endpoint's public API stays
 * what MediaEndpoint says. Each attachment declares the `Pick` of it that it uses.
 */
export interface EndpointFeatureHost {
  readonly id: string
  readonly logger: Logger
  /** the engine's single 20 ms clock */
  readonly pacer: Pacer
  readonly loadAudio: LoadAudio
  readonly conferences: ConferenceHub
  /** aborted when the endpoint closes */
  readonly closing: AbortSignal
  /** decoded received audio (what the far end says) */
  readonly receivedTap: FrameTap
  /** both directions tick by tick, for listen and record */
  readonly stereo: StereoFeed
  /** listens and recordings to end on close */
  readonly features: Set<FeatureStop>
  isClosed(): boolean
  /** drop the endpoint's bridge on both sides (no-op when not bridged) */
  detach(): void
  /** who should feed the outgoing stream now (prompt, live stream, conference mix, bridge) */
  currentSource(): OutgoingSource
  /** re-select the outgoing stream's source after an attachment started or ended */
  refreshSource(): void
  /**
   * True while `source` may not take over the outgoing stream yet: our last packet (of
   * another source) is under 10 ms old (OutgoingStream.tooSoonToStart). Keep the frame.
   */
  tooSoonToStart(source: OutgoingSource): boolean
  /** encode and send one locally made 20 ms frame on the outgoing stream (dropped when tooSoonToStart) */
  sendLocalFrame(frame: Int16Array, source: OutgoingSource): void
}
