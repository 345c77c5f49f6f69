import { SafeEmitter } from '../safe-emitter.js'
import { eventToDigit, parseTelephoneEvent } from './telephone-event.js'

/**
 * Lifecycle of the event currently being received (RFC 4733 §2.5.2, receiver side):
 *
 *   Idle ──first packet of a DTMF event──▶ Active
 *   Active ──packet with the E bit──▶ Ended                       (digit emitted)
 *   Active ──packet with a newer timestamp──▶ Ended ▶ Active       (lost end: emitted first)
 *   Active ──no packet for guardMs (Timer "guard")──▶ Ended        (lost end: emitted)
 *   Ended ──packet with a newer timestamp──▶ Active
 *   any ──close()──▶ Closed
 *
 * An event is identified by its RTP timestamp (§2.5.1.1: all packets of one event carry
 * the event's start timestamp) and its event code. Retransmitted end packets (§2.5.1.4:
 * the final packet is sent three times) and network duplicates land on an Ended event
 * and are only counted.
 */
export enum DtmfDetectorState {
  Idle = 'idle',
  Active = 'active',
  Ended = 'ended',
  Closed = 'closed',
}

export interface DtmfDetectorOptions {
  /** telephone-event clock rate from the SDP rtpmap; default 8000 */
  clockRate?: number
  /** Timer "guard": emit an event whose end packets were all lost after this much silence; default 1000 ms */
  guardMs?: number
  /** told about listener errors (already counted in stats) */
  onListenerError?: (err: unknown) => void
}

export interface DtmfDetectorStats {
  packets: number
  /** payloads shorter than 4 bytes */
  malformed: number
  /** events outside 0–15 (flash hook, line tones): ignored */
  nonDtmf: number
  /** packets for an event already emitted: retransmitted ends, duplicates, late updates */
  duplicates: number
  /** packets whose timestamp is older than the current event's: ignored */
  stale: number
  /** digits emitted without an end packet (new timestamp or guard timer) */
  lostEnds: number
  digits: number
  listenerErrors: number
}

export type DigitListener = (digit: string, durationMs: number) => void

interface CurrentEvent {
  timestamp: number
  event: number
  /** highest duration seen in this segment, in clock units */
  duration: number
  /** durations of finished segments of a long event (§2.5.1.3) */
  previousSegments: number
  lastSeq: number
}

/** §2.5.1.3: a segment of a long-duration event ends at the largest duration, 0xFFFF. */
const MAX_SEGMENT_DURATION = 0xffff
/** timestamps this far behind the current one are a sender restart, not a stale packet */
const STALE_WINDOW_SECONDS = 10

/**
 * Turns RFC 4733 telephone-event packets into digits, each emitted exactly once, when it
 * ends. Fed synchronously from the endpoint's RTP handler; never throws.
 */
export class DtmfDetector {
  private stateValue = DtmfDetectorState.Idle
  private current: CurrentEvent | null = null
  private readonly timers: { guard: NodeJS.Timeout | null } = { guard: null }
  private readonly clockRate: number
  private readonly guardMs: number
  private readonly events: SafeEmitter<{ digit: DigitListener }>
  private listenerErrors = 0
  private readonly counters = { packets: 0, malformed: 0, nonDtmf: 0, duplicates: 0, stale: 0, lostEnds: 0, digits: 0 }

  constructor(opts: DtmfDetectorOptions = {}) {
    this.clockRate = opts.clockRate && opts.clockRate > 0 ? opts.clockRate : 8000
    this.guardMs = opts.guardMs ?? 1000
    this.events = new SafeEmitter<{ digit: DigitListener }>((_event, err) => {
      this.listenerErrors++
      opts.onListenerError?.(err)
    })
  }

  get state(): DtmfDetectorState {
    return this.stateValue
  }

  on(event: 'digit', listener: DigitListener): this {
    if (event === 'digit') this.events.on('digit', listener)
    return this
  }

  off(event: 'digit', listener: DigitListener): this {
    if (event === 'digit') this.events.off('digit', listener)
    return this
  }

  stats(): DtmfDetectorStats {
    return { ...this.counters, listenerErrors: this.listenerErrors }
  }

  /**
   * One received telephone-event RTP packet: its payload, RTP timestamp and sequence
   * number. Bad input is dropped and counted.
   */
  feed(payload: Buffer | Uint8Array, rtpTimestamp: number, seq: number): void {
    if (this.stateValue === DtmfDetectorState.Closed) return
    this.counters.packets++
    const ev = parseTelephoneEvent(payload)
    if (!ev) {
      this.counters.malformed++
      return
    }
    if (eventToDigit(ev.event) === undefined) {
      this.counters.nonDtmf++
      return
    }
    const ts = rtpTimestamp >>> 0
    const cur = this.current

    if (cur && ts === cur.timestamp && ev.event === cur.event) {
      if (this.stateValue === DtmfDetectorState.Ended) {
        this.counters.duplicates++
        return
      }
      if ((seq & 0xffff) === cur.lastSeq) {
        // the network duplicated the packet (same sequence number, RFC 3550 §A.1)
        this.counters.duplicates++
        return
      }
      this.updateCurrent(cur, ev.duration, seq)
      if (ev.end) this.finish(false)
      else this.armGuard()
      return
    }

    if (cur) {
      // signed 32-bit difference: RTP timestamps wrap (RFC 3550 §5.1)
      const diff = (ts - cur.timestamp) | 0
      if (diff < 0 && -diff < this.clockRate * STALE_WINDOW_SECONDS) {
        this.counters.stale++
        return
      }
      if (this.stateValue === DtmfDetectorState.Active && this.isNextSegment(cur, ev.event, diff)) {
        // §2.5.1.3 long-duration event: same key still held, new segment
        cur.previousSegments += cur.duration
        cur.timestamp = ts
        cur.duration = 0
        this.updateCurrent(cur, ev.duration, seq)
        if (ev.end) this.finish(false)
        else this.armGuard()
        return
      }
      if (this.stateValue === DtmfDetectorState.Active) this.finish(true)
    }

    this.current = { timestamp: ts, event: ev.event, duration: ev.duration, previousSegments: 0, lastSeq: seq & 0xffff }
    this.transition(DtmfDetectorState.Active)
    if (ev.end) this.finish(false)
    else this.armGuard()
  }

  /** Forget the current event without emitting it (e.g. the far end changed SSRC). */
  reset(): void {
    if (this.stateValue === DtmfDetectorState.Closed) return
    this.current = null
    this.transition(DtmfDetectorState.Idle)
  }

  /** Stop: clears Timer "guard", drops listeners; an event in progress is not emitted. */
  close(): void {
    this.transition(DtmfDetectorState.Closed)
    this.current = null
    this.events.clear()
  }

  private updateCurrent(cur: CurrentEvent, duration: number, seq: number): void {
    if (duration > cur.duration) cur.duration = duration
    cur.lastSeq = seq & 0xffff
  }

  private isNextSegment(cur: CurrentEvent, event: number, diff: number): boolean {
    return event === cur.event && cur.duration >= MAX_SEGMENT_DURATION - 1 && diff >= MAX_SEGMENT_DURATION - 1 && diff <= MAX_SEGMENT_DURATION + this.clockRate
  }

  private armGuard(): void {
    this.clearGuard()
    const t = setTimeout(() => {
      this.timers.guard = null
      if (this.stateValue === DtmfDetectorState.Active) this.finish(true)
    }, this.guardMs)
    t.unref?.()
    this.timers.guard = t
  }

  private clearGuard(): void {
    if (this.timers.guard) clearTimeout(this.timers.guard)
    this.timers.guard = null
  }

  private finish(lostEnd: boolean): void {
    const cur = this.current
    if (!cur || this.stateValue !== DtmfDetectorState.Active) return
    this.transition(DtmfDetectorState.Ended)
    if (lostEnd) this.counters.lostEnds++
    this.counters.digits++
    const durationMs = Math.round(((cur.previousSegments + cur.duration) * 1000) / this.clockRate)
    this.events.emit('digit', eventToDigit(cur.event)!, durationMs)
  }

  /** The one place the state changes; every transition leaves the state clears Timer "guard". */
  private transition(next: DtmfDetectorState): void {
    if (this.stateValue === DtmfDetectorState.Closed) return
    this.clearGuard()
    this.stateValue = next
  }
}
