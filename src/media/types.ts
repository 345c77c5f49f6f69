/**
 * The MediaEngine interface: everything the call layer needs from media, whichever
 * engine is behind it (embedded RTP in Node, or FreeSWITCH via drachtio-fsmrf).
 * Engine-neutral on purpose: no RTP, socket or FreeSWITCH notion leaks through here.
 *
 * Ownership (after mediasoup): MediaEngine → MediaEndpoint → handles (listen, recording,
 * conference member). `close()` cascades down and is idempotent; a closed object rejects
 * every further call with LIVECALL_ERR_MEDIA_CLOSED.
 */

export interface MediaEngine {
  /** Allocate an endpoint. With `remoteSdp` (an offer) its localSdp is the answer; without, localSdp is an offer. */
  createEndpoint(opts?: CreateEndpointOptions): Promise<MediaEndpoint>
  /** Totals over every endpoint the engine ever had, plus what is open now. */
  stats(): MediaEngineStats
  /** Closes every endpoint (and conference room); idempotent. */
  close(): Promise<void>
}

/**
 * Packet counters. Bad input (malformed packets, unknown payload types, packets from an
 * unexpected address, …) is dropped and counted under `dropped`, keyed by reason.
 */
export interface MediaCountersStats {
  packetsReceived: number
  bytesReceived: number
  packetsSent: number
  bytesSent: number
  dropped: Record<string, number>
}

export interface MediaEndpointStats extends MediaCountersStats {
  state: string
  /** negotiated codec, e.g. 'PCMU' (undefined until an offer/answer completed) */
  codec?: string
}

export interface MediaEngineStats extends MediaCountersStats {
  endpoints: number
}

export interface CreateEndpointOptions {
  remoteSdp?: string
  /** codecs we offer / accept, in preference order; default ['PCMU', 'PCMA'] */
  codecs?: Array<'PCMU' | 'PCMA'>
}

export type MediaDirection = 'send' | 'receive' | 'both'

export interface MediaEndpointEvents {
  /** no RTP received for the configured time (default 60 s) */
  timeout: () => void
  /** an RFC 4733 digit ended (fires once per event, whatever the retransmissions) */
  dtmf: (digit: string, durationMs: number) => void
  close: () => void
}

export interface MediaEndpoint {
  readonly id: string
  /** our SDP: the answer when created from an offer, else our offer */
  readonly localSdp: string
  readonly closed: boolean
  /** Apply the far end's SDP: the answer to our offer, or a new offer (hold/unhold re-INVITE). Returns our (possibly updated) localSdp. */
  setRemoteSdp(sdp: string): Promise<string>
  /** Set the direction we advertise in localSdp (a=sendonly for hold, …); returns the new localSdp. */
  setLocalDirection(direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'): Promise<string>
  /** two-party audio, both ways; transcodes PCMU↔PCMA when the legs differ */
  bridge(other: MediaEndpoint): Promise<void>
  unbridge(): Promise<void>
  /** 'send': the far end of this endpoint no longer hears us; 'receive': what it says is no longer passed on */
  mute(direction: MediaDirection): Promise<void>
  unmute(direction: MediaDirection): Promise<void>
  play(source: PlaySource, signal?: AbortSignal): Promise<PlayResult>
  collectDigits(opts: CollectDigitsOptions, signal?: AbortSignal): Promise<CollectDigitsResult>
  /**
   * Send DTMF to the far end as RFC 4733 telephone-events: '0'–'9', '*', '#', 'A'–'D';
   * 'w' pauses 500 ms and 'W' one second (FreeSWITCH send_dtmf, which jambonz's dtmf verb
   * uses). Resolves when the last event ended, or at once on abort/close (an event in
   * progress is ended first). Rejects with LIVECALL_ERR_MEDIA_BAD_DIGITS for any other
   * character, LIVECALL_ERR_MEDIA_STATE when telephone-event was not negotiated.
   */
  sendDigits(digits: string, opts?: SendDigitsOptions, signal?: AbortSignal): Promise<void>
  startListen(opts: ListenOptions): Promise<ListenHandle>
  startRecording(opts: RecordingOptions): Promise<RecordingHandle>
  joinConference(name: string, opts?: ConferenceJoinOptions): Promise<ConferenceMember>
  /** counters of this endpoint (see MediaCountersStats) */
  stats(): MediaEndpointStats
  on<E extends keyof MediaEndpointEvents>(event: E, listener: MediaEndpointEvents[E]): this
  off<E extends keyof MediaEndpointEvents>(event: E, listener: MediaEndpointEvents[E]): this
  close(): Promise<void>
}

export type PlaySource =
  | { type: 'file'; path: string; loop?: number }
  | { type: 'url'; url: string; loop?: number }
  /** e.g. `{ freqs: [440, 480], onMs: 2000, offMs: 4000, durationMs: 12000 }` (US ringback) */
  | { type: 'tone'; freqs: number[]; onMs?: number; offMs?: number; durationMs?: number; loop?: number }
  | { type: 'say'; text: string; voice?: string; loop?: number }
  | { type: 'silence'; durationMs: number }

export interface PlayResult {
  /** true when the AbortSignal stopped it */
  aborted: boolean
  playedMs: number
}

export interface CollectDigitsOptions {
  maxDigits?: number
  minDigits?: number
  finishOnKey?: string
  /** ms to wait for the first digit / overall */
  timeoutMs?: number
  interDigitTimeoutMs?: number
}

export interface SendDigitsOptions {
  /** length of each digit's event in ms (default 500, as jambonz's dtmf verb; 40–8000) */
  durationMs?: number
}

export interface CollectDigitsResult {
  digits: string
  reason: 'maxDigits' | 'finishOnKey' | 'timeout' | 'interDigitTimeout' | 'aborted'
}

export interface ListenOptions {
  url: string
  sampleRate?: 8000 | 16000
  mixType?: 'mono' | 'stereo' | 'mixed'
  /** the JSON object sent as the first text frame (call attributes + metadata) */
  metadata?: Record<string, unknown>
  /** ms; the listen ends by itself after this long */
  maxLengthMs?: number
  headers?: Record<string, string>
  bidirectionalAudio?: { enabled: boolean; streaming?: boolean; sampleRate?: number }
}

export interface ListenHandle {
  pause(): void
  resume(): void
  readonly paused: boolean
  stop(): Promise<void>
  /** resolves when the listen has ended (stopped, far side closed, maxLength), with why */
  readonly done: Promise<{ reason: 'stopped' | 'closed' | 'maxLength' | 'error'; error?: Error }>
}

export interface RecordingOptions {
  /** target path; the directory must exist */
  path: string
  format?: 'wav'
}

export interface RecordingHandle {
  pause(): void
  resume(): void
  readonly paused: boolean
  stop(): Promise<{ path: string; durationMs: number }>
}

export interface ConferenceJoinOptions {
  muted?: boolean
  deaf?: boolean
}

export interface ConferenceMember {
  readonly conference: string
  mute(): void
  unmute(): void
  deaf(): void
  undeaf(): void
  /** hold = muted and deaf, plus `wait` played to this member until unhold */
  hold(wait?: PlaySource): void
  unhold(): void
  leave(): Promise<void>
}
