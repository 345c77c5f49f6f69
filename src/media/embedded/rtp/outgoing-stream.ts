import { randomInt } from 'node:crypto'
import { buildRtpHeaderOnly, rewriteRtpHeader } from './rtp-packet.js'

/**
 * What currently feeds an endpoint's single outgoing stream. A change of source starts
 * a new "epoch": the relayed packets' own seq/ts are mapped onto ours from there on.
 */
export enum OutgoingSource {
  None = 'none',
  Relay = 'relay',
  Prompt = 'prompt',
  /** live audio pushed from outside (listen's bidirectional audio) */
  Stream = 'stream',
  Mixer = 'mixer',
  /** RFC 4733 events we send (MediaEndpoint.sendDigits): owns the stream while an event is on */
  Digits = 'digits',
}

/** ms → RTP clock units at 8 kHz. */
const SAMPLES_PER_MS = 8
const FRAME_SAMPLES = 160
/** Input seq jump beyond which we consider the relayed source restarted (new epoch). */
const MAX_SEQ_JUMP = 100
/** Input ts jump beyond which the relayed source restarted: 10 s of samples. */
const MAX_TS_JUMP = 80_000
/**
 * Relayed packets read the clock once per this many packets (and at each new epoch):
 * in between, the send time of the last packet is derived from how far our timestamp
 * moved since the last reading (RTP time is 8 kHz wall-clock time, RFC 3550 §5.1), so
 * the relay path does no clock read for 15 packets out of 16.
 */
const CLOCK_EVERY_PACKETS = 16
/**
 * A new epoch waits until our last packet is at least this old: that packet's 20 ms of
 * audio are still playing at the far end, and a packet sent now with the next frame's
 * timestamp would run up to 20 ms ahead of the wall clock for the rest of the stream.
 * From 10 ms on, whole-frame rounding keeps the error within ±10 ms.
 */
const MIN_EPOCH_GAP_MS = 10

/**
 * ONE outgoing RTP stream per endpoint: own SSRC, own sequence and timestamp counters
 * (RFC 3550 §5.1: random initial values). Whatever the source — relayed packets from a
 * bridged peer (possibly across several bridges), prompt frames, a conference mix — the
 * far end sees one continuous stream:
 *
 * - seq: +1 per packet we send; within a relay epoch the input's forward gaps (loss) are
 *   kept so the far end's jitter buffer sees them, packets we deliberately consume
 *   (suppressed DTMF, …) never leave a gap, and a new epoch continues at last+1.
 * - timestamp: within an epoch `ts_out = ts_in + offset`; at a new epoch the offset is
 *   chosen so that ts advances by the wall-clock time since our last packet (rounded to
 *   whole 20 ms frames), as RFC 3550 §5.1 asks ("increments monotonically and linearly in
 *   time"). The first packet after a pause carries the marker bit (RFC 3551 §4.1).
 *   The time of our last packet is `clockMs + (ts − clockTs) / 8`, clamped between the
 *   last clock reading and now (see CLOCK_EVERY_PACKETS).
 */
export class OutgoingStream {
  readonly ssrc: number
  private seq: number
  private ts: number
  /** last clock reading (monotonic ms, -1: nothing sent yet) and our timestamp then */
  private clockMs = -1
  private clockTs = 0
  private packetsSinceClock = 0
  private source = OutgoingSource.None
  /** relay epoch state */
  private epochOpen = false
  private inSsrc = 0
  private lastInSeq = 0
  private lastInTs = 0
  private tsOffset = 0
  /** the start timestamp of the RFC 4733 event we are sending (buildEvent) */
  private eventTs = 0

  constructor(private readonly now: () => number) {
    this.ssrc = randomInt(1, 0xffffffff) >>> 0
    this.seq = randomInt(0, 0x10000)
    this.ts = randomInt(0, 0xffffffff) >>> 0
  }

  get currentSource(): OutgoingSource {
    return this.source
  }

  /** Switch source: the next packet starts a new epoch. */
  setSource(source: OutgoingSource): void {
    if (source === this.source) return
    this.source = source
    this.epochOpen = false
  }

  /**
   * True while a packet from `source` would open a new epoch too soon after our last
   * packet (see MIN_EPOCH_GAP_MS): the caller keeps its frame for the next tick.
   */
  tooSoonToStart(source: OutgoingSource): boolean {
    if (source === this.source && this.epochOpen) return false
    return this.lastPacketTooRecent()
  }

  private lastPacketTooRecent(): boolean {
    return this.clockMs >= 0 && this.sinceLastSentMs() < MIN_EPOCH_GAP_MS
  }

  /** The timestamp a new epoch starts at: last ts + elapsed wall clock, in whole frames, at least one. */
  private nextEpochTimestamp(): { ts: number; marker: boolean } {
    if (this.clockMs < 0) return { ts: this.ts, marker: true }
    const elapsedFrames = Math.max(1, Math.round(this.sinceLastSentMs() / 20))
    return { ts: (this.ts + elapsedFrames * FRAME_SAMPLES) >>> 0, marker: elapsedFrames > 1 }
  }

  /** Note that a packet with our current ts goes out now (reads the clock when `force` or every CLOCK_EVERY_PACKETS). */
  private noteSent(force: boolean): void {
    if (force || ++this.packetsSinceClock >= CLOCK_EVERY_PACKETS) {
      this.clockMs = this.now()
      this.clockTs = this.ts
      this.packetsSinceClock = 0
    }
  }

  /**
   * Map a relayed packet (already parsed) onto this stream and rewrite its header in place.
   * Returns false when the packet must not be sent (duplicate or late reordered packet).
   */
  rewriteRelayed(
    buf: Uint8Array,
    payloadType: number,
    inSeq: number,
    inTs: number,
    inSsrc: number,
    inMarker: boolean,
    /** samples the packet covers beyond its ts (an RFC 4733 event's duration), 0 for audio */
    extentSamples = 0,
  ): boolean {
    let marker = inMarker
    let outSeq: number
    const seqDelta = (inSeq - this.lastInSeq) & 0xffff
    const tsDelta = (inTs - this.lastInTs) >>> 0
    const restarted =
      !this.epochOpen || inSsrc !== this.inSsrc || (seqDelta > MAX_SEQ_JUMP && seqDelta < 0x10000 - MAX_SEQ_JUMP) ||
      (tsDelta > MAX_TS_JUMP && tsDelta < 0x100000000 - MAX_TS_JUMP)
    if (restarted) {
      if (this.lastPacketTooRecent()) {
        this.epochOpen = false // consumed; the relay's next packet, 20 ms on, opens the epoch
        return false
      }
      const start = this.nextEpochTimestamp()
      this.tsOffset = (start.ts - inTs) >>> 0
      marker = marker || start.marker
      outSeq = (this.seq + 1) & 0xffff
      this.epochOpen = true
      this.inSsrc = inSsrc
    } else if (seqDelta === 0 || seqDelta >= 0x8000) {
      // duplicate or reordered behind what we already sent: RFC 3550 receivers discard it anyway
      return false
    } else {
      outSeq = (this.seq + seqDelta) & 0xffff
    }
    this.lastInSeq = inSeq
    this.lastInTs = inTs
    const outTs = (inTs + this.tsOffset) >>> 0
    rewriteRtpHeader(buf, marker, payloadType, outSeq, outTs, this.ssrc)
    this.seq = outSeq
    // an RFC 4733 event keeps the ts of its start and covers `extentSamples` from there
    const reached = (outTs + extentSamples) >>> 0
    if (((reached - this.ts) >>> 0) < 0x80000000) this.ts = reached
    this.noteSent(restarted)
    return true
  }

  /**
   * Account for a relayed packet we deliberately do not send (a suppressed event):
   * the input seq is consumed so that the next packet leaves no gap.
   */
  consumeRelayed(inSeq: number, inSsrc: number): void {
    if (!this.epochOpen || inSsrc !== this.inSsrc) return
    const d = (inSeq - this.lastInSeq) & 0xffff
    if (d > 0 && d < 0x8000) this.lastInSeq = inSeq
  }

  /**
   * A packet for a locally generated frame of `samples` samples (prompt, mixer): the
   * header is written, the caller writes `payloadLength` bytes at RTP_FIXED_HEADER_LENGTH.
   */
  buildLocal(payloadType: number, payloadLength: number, samples: number): Buffer {
    let marker = false
    if (!this.epochOpen) {
      const start = this.nextEpochTimestamp()
      this.ts = start.ts
      marker = start.marker
      this.epochOpen = true
      this.inSsrc = -1
    } else {
      this.ts = (this.ts + samples) >>> 0
    }
    this.seq = (this.seq + 1) & 0xffff
    this.noteSent(true)
    return buildRtpHeaderOnly(marker, payloadType, this.seq, this.ts, this.ssrc, payloadLength)
  }

  /**
   * A packet of an RFC 4733 event we originate (the caller writes the 4-byte payload at
   * RTP_FIXED_HEADER_LENGTH). Every packet of one event carries the event's start
   * timestamp (§2.5.1.1); `first` starts a new event at last ts + elapsed wall clock
   * (at least one frame on), with the marker bit. `durationSamples` (the event's
   * duration so far) moves our media position to the event's end, so that the audio or
   * event after it continues from there (RFC 3550 §5.1).
   */
  buildEvent(payloadType: number, payloadLength: number, first: boolean, durationSamples: number): Buffer {
    if (first || !this.epochOpen) {
      this.eventTs = this.nextEpochTimestamp().ts
      this.epochOpen = true
      this.inSsrc = -1
    }
    this.seq = (this.seq + 1) & 0xffff
    this.ts = (this.eventTs + durationSamples) >>> 0
    this.noteSent(true)
    return buildRtpHeaderOnly(first, payloadType, this.seq, this.eventTs, this.ssrc, payloadLength)
  }

  /** ms since our last packet, or -1 when nothing was sent yet. */
  sinceLastSentMs(): number {
    if (this.clockMs < 0) return -1
    const now = this.now()
    const advancedMs = ((this.ts - this.clockTs) >>> 0) / SAMPLES_PER_MS
    const lastSentAt = Math.min(now, this.clockMs + (advancedMs < 0x40000000 / SAMPLES_PER_MS ? advancedMs : 0))
    return now - lastSentAt
  }

  /** Current counters (tests, stats). */
  snapshot(): { ssrc: number; seq: number; ts: number } {
    return { ssrc: this.ssrc, seq: this.seq, ts: this.ts }
  }

  static readonly SAMPLES_PER_MS = SAMPLES_PER_MS
}
