import { LivecallError } from '../../errors/index.js'
import type { SendDigitsOptions } from '../types.js'
import { buildDigitPackets, encodeTelephoneEvent, type DigitPacket } from './dtmf/index.js'
import type { EndpointFeatureHost } from './endpoint-feature-host.js'
import { OutgoingSource } from './rtp/outgoing-stream.js'

/** What the digit sender needs of its endpoint. */
export type DigitsHost = Pick<EndpointFeatureHost, 'pacer' | 'closing' | 'refreshSource' | 'tooSoonToStart'> & {
  /** the telephone-event payload type negotiated with the far end, or null (RFC 4733 cannot be sent) */
  telephoneEventPt(): number | null
  /** send one event packet on the outgoing stream (OutgoingStream.buildEvent) */
  sendEventPacket(payload: Uint8Array, first: boolean, durationSamples: number): void
}

/** FreeSWITCH send_dtmf (what jambonz's dtmf verb runs): `w` pauses 500 ms, `W` one second. */
const PAUSE_MS: Record<string, number> = { w: 500, W: 1000 }
/** silence between two digits, so that the far end sees two events (each has its own timestamp anyway) */
const INTER_DIGIT_GAP_MS = 100
export const DEFAULT_DIGIT_MS = 500
export const MIN_DIGIT_MS = 40
/** RFC 4733 §2.5.2.1: the 16-bit duration field holds at most 65535 / 8 ms ≈ 8.2 s at 8 kHz */
export const MAX_DIGIT_MS = 8000
const TICK_MS = 20

/** One step of a digit string: an event to send, or a pause (gap). */
type DigitStep = { kind: 'event'; event: number; packets: DigitPacket[] } | { kind: 'pause'; ms: number }

/**
 * Digit sender state, per pacer tick:
 *
 *   Idle ──next step is a digit──► Event ──last end packet──► Gap ──gap over──► Idle
 *   Idle ──next step is a pause──────────────────────────────► Gap
 *   Idle ──no step left / aborted──► done
 */
export enum DigitSenderState {
  Idle = 'idle',
  Event = 'event',
  Gap = 'gap',
}

/** Parse a send_dtmf string ('0'–'9', '*', '#', 'A'–'D', 'w', 'W'); throws LIVECALL_ERR_MEDIA_BAD_DIGITS. */
export function parseDigitString(digits: string, durationMs: number): DigitStep[] {
  const steps: DigitStep[] = []
  for (const c of digits) {
    const pause = PAUSE_MS[c]
    if (pause !== undefined) {
      steps.push({ kind: 'pause', ms: pause })
      continue
    }
    const packets = buildDigitPackets(c, { durationMs })
    if (packets.length === 0) throw new LivecallError('LIVECALL_ERR_MEDIA_BAD_DIGITS', `${JSON.stringify(c)} is not a DTMF digit (0-9 * # A-D, w/W pause)`)
    steps.push({ kind: 'event', event: packets[0].payload[0], packets })
    steps.push({ kind: 'pause', ms: INTER_DIGIT_GAP_MS })
  }
  return steps
}

/**
 * An endpoint's RFC 4733 sender (`MediaEndpoint.sendDigits`): each digit goes out as
 * one event, one packet per 20 ms pacer tick — a first packet with the marker bit,
 * updates with a growing duration, then the end packet three times (RFC 4733 §2.5.1.4) —
 * all with the event's start timestamp, on the endpoint's one outgoing stream. While an
 * event is on it owns that stream (a prompt waits, relayed audio is consumed); between
 * digits and during pauses the stream goes back to its other source.
 * Calls queue behind each other; an abort or the endpoint closing ends the event in
 * progress with its end packets and resolves.
 */
export class EndpointDigits {
  private state = DigitSenderState.Idle
  private tail: Promise<void> = Promise.resolve()

  constructor(private readonly host: DigitsHost) {}

  /** An event is being sent: the digits own the outgoing stream. */
  get sending(): boolean {
    return this.state === DigitSenderState.Event
  }

  send(digits: string, opts: SendDigitsOptions = {}, signal?: AbortSignal): Promise<void> {
    const durationMs = Math.min(MAX_DIGIT_MS, Math.max(MIN_DIGIT_MS, Math.round(opts.durationMs ?? DEFAULT_DIGIT_MS)))
    const steps = parseDigitString(digits, durationMs)
    if (steps.some((s) => s.kind === 'event') && this.host.telephoneEventPt() === null) {
      throw new LivecallError('LIVECALL_ERR_MEDIA_STATE', 'the far end did not negotiate telephone-event (RFC 4733): digits cannot be sent')
    }
    const run = this.tail.then(() => this.run(steps, signal))
    this.tail = run
    return run
  }

  private run(steps: DigitStep[], signal?: AbortSignal): Promise<void> {
    const host = this.host
    const stop = AbortSignal.any(signal ? [signal, host.closing] : [host.closing])
    if (stop.aborted) return Promise.resolve()
    return new Promise<void>((resolve) => {
      let step: DigitStep | undefined
      let index = 0
      let gapLeftMs = 0
      const finish = (): void => {
        removeClient()
        stop.removeEventListener('abort', onAbort)
        if (this.state === DigitSenderState.Event && step?.kind === 'event' && index > 0) this.endEarly(step, index)
        this.enter(DigitSenderState.Idle)
        resolve()
      }
      const onAbort = (): void => finish()
      const tick = (): void => {
        if (this.state === DigitSenderState.Gap) {
          gapLeftMs -= TICK_MS
          if (gapLeftMs > 0) return
          this.enter(DigitSenderState.Idle)
        }
        if (this.state === DigitSenderState.Idle) {
          step = steps.shift()
          index = 0
          if (step === undefined) return finish()
          if (step.kind === 'pause') {
            gapLeftMs = step.ms
            this.enter(DigitSenderState.Gap)
            return
          }
          this.enter(DigitSenderState.Event)
        }
        if (step?.kind !== 'event') return
        // the previous source's last packet is under 10 ms old: start on the next tick
        if (index === 0 && host.tooSoonToStart(OutgoingSource.Digits)) return
        const p = step.packets[index]
        host.sendEventPacket(p.payload, index === 0, p.payload.readUInt16BE(2))
        index++
        if (index >= step.packets.length) {
          gapLeftMs = 0
          this.enter(DigitSenderState.Gap)
        }
      }
      const removeClient = host.pacer.add(tick)
      stop.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** An event cut short: its end packet, three times, with the duration reached (RFC 4733 §2.5.1.4). */
  private endEarly(step: Extract<DigitStep, { kind: 'event' }>, sent: number): void {
    const durationSamples = step.packets[sent - 1].payload.readUInt16BE(2)
    const end = encodeTelephoneEvent({ event: step.event, end: true, duration: durationSamples })!
    for (let i = 0; i < 3; i++) this.host.sendEventPacket(end, false, durationSamples)
  }

  private enter(next: DigitSenderState): void {
    if (this.state === next) return
    const wasSending = this.sending
    this.state = next
    if (wasSending !== this.sending) this.host.refreshSource()
  }
}
