/**
 * RFC 4733 §2.3 telephone-event payload (4 bytes):
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |     event     |E|R| volume    |          duration             |
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * DTMF event codes are RFC 4733 §3.2 table 7: 0–9, 10 = *, 11 = #, 12–15 = A–D.
 */

export interface TelephoneEvent {
  /** event code, 0–255 (DTMF: 0–15) */
  event: number
  /** E bit: this packet ends the event (RFC 4733 §2.3.4) */
  end: boolean
  /** power level in −dBm0, 0–63 (RFC 4733 §2.3.4); 0 is loudest */
  volume: number
  /** in RTP timestamp units since the event's timestamp (RFC 4733 §2.3.5) */
  duration: number
}

/** RFC 4733 §3.2: the sixteen DTMF events, indexed by event code. */
export const DTMF_DIGITS = '0123456789*#ABCD'

/** '0'–'9', '*', '#', 'A'–'D' (case-insensitive) → event code, or undefined. */
export function digitToEvent(digit: string): number | undefined {
  if (digit.length !== 1) return undefined
  const i = DTMF_DIGITS.indexOf(digit.toUpperCase())
  return i < 0 ? undefined : i
}

/** event code → digit, or undefined for non-DTMF events (flash hook, tones …). */
export function eventToDigit(event: number): string | undefined {
  return event >= 0 && event < DTMF_DIGITS.length ? DTMF_DIGITS[event] : undefined
}

/**
 * Parse one telephone-event payload. Returns null for a payload shorter than 4 bytes.
 * Only the first event block is read: RFC 4733 §2.5.1.5 allows several blocks in one
 * packet (via RFC 2198 redundancy), which is a different payload type.
 */
export function parseTelephoneEvent(payload: Buffer | Uint8Array): TelephoneEvent | null {
  if (!payload || payload.length < 4) return null
  return {
    event: payload[0],
    end: (payload[1] & 0x80) !== 0,
    volume: payload[1] & 0x3f,
    duration: (payload[2] << 8) | payload[3],
  }
}

export interface EncodeTelephoneEventInput {
  /** a digit ('5', '*', '#', 'A') or an event code */
  event: number | string
  end?: boolean
  /** −dBm0, 0–63; default 10 (a typical keypad level) */
  volume?: number
  /** RTP timestamp units, clamped to 0–0xFFFF */
  duration: number
}

/** Build a 4-byte telephone-event payload (RFC 4733 §2.3). Returns null for an unknown digit. */
export function encodeTelephoneEvent(input: EncodeTelephoneEventInput): Buffer | null {
  const event = typeof input.event === 'string' ? digitToEvent(input.event) : input.event
  if (event === undefined || !Number.isInteger(event) || event < 0 || event > 255) return null
  const volume = Math.min(63, Math.max(0, Math.round(input.volume ?? 10)))
  const duration = Math.min(0xffff, Math.max(0, Math.round(input.duration)))
  const b = Buffer.alloc(4)
  b[0] = event
  b[1] = (input.end ? 0x80 : 0) | volume
  b.writeUInt16BE(duration, 2)
  return b
}

export interface DigitPacket {
  payload: Buffer
  /** RFC 4733 §2.5.1.1: the first packet of an event carries the RTP marker bit */
  marker: boolean
  /** every packet of one event carries the same RTP timestamp: the event's start (§2.5.1.1) */
  timestampOffset: 0
  /** when to send it, in ms after the first packet */
  sendAtMs: number
}

export interface DigitPacketOptions {
  /** tone length; default 100 ms (jambonz/FreeSWITCH default for the dtmf verb is 100–250) */
  durationMs?: number
  /** interval between updates; default 20 ms, i.e. the packet time */
  intervalMs?: number
  volume?: number
  /** telephone-event clock rate; default 8000 */
  clockRate?: number
}

/**
 * The packets that send one digit, per RFC 4733 §2.5.1: a first packet with the marker
 * bit, updates every `intervalMs` with a growing duration, then the end packet sent three
 * times (§2.5.1.4) with the final duration. The caller sets sequence numbers (one per
 * packet) and the RTP timestamp (the same for all of them).
 */
export function buildDigitPackets(digit: string, opts: DigitPacketOptions = {}): DigitPacket[] {
  const event = digitToEvent(digit)
  if (event === undefined) return []
  const clockRate = opts.clockRate ?? 8000
  const intervalMs = Math.max(10, opts.intervalMs ?? 20)
  const durationMs = Math.max(intervalMs, opts.durationMs ?? 100)
  const unitsPerMs = clockRate / 1000
  const packets: DigitPacket[] = []
  let t = intervalMs
  for (; t < durationMs; t += intervalMs) {
    const payload = encodeTelephoneEvent({ event, duration: t * unitsPerMs, volume: opts.volume })!
    packets.push({ payload, marker: packets.length === 0, timestampOffset: 0, sendAtMs: t - intervalMs })
  }
  const end = encodeTelephoneEvent({ event, end: true, duration: durationMs * unitsPerMs, volume: opts.volume })!
  const firstEndAt = Math.max(0, t - intervalMs)
  for (let i = 0; i < 3; i++) {
    packets.push({ payload: end, marker: packets.length === 0, timestampOffset: 0, sendAtMs: firstEndAt + i * intervalMs })
  }
  return packets
}
