import { badAudio } from './audio-errors.js'

export const TONE_SAMPLE_RATE = 8000
/** Peak level of the summed sines: -10 dBFS, well clear of clipping in G.711. */
export const TONE_PEAK_DBFS = -10
/** Raised-cosine ramp at the edges of each cadenced burst, against clicks. */
const RAMP_MS = 5
const MAX_TONE_MS = 10 * 60_000
const MAX_FREQS = 8

export interface ToneSpec {
  freqs: number[]
  onMs?: number
  offMs?: number
  durationMs?: number
}

/**
 * Call-progress tones (ITU-T E.180; e.g. US ringback 440+480 Hz 2 s on / 4 s off, dial
 * tone 350+440 Hz steady) as 8 kHz int16.
 *
 * Cadence: bursts of `onMs` separated by `offMs` of silence, cut at `durationMs`.
 * Defaults: with an `offMs` > 0 one on+off cycle (onMs defaulting to 1000); otherwise a
 * steady tone of `durationMs` ?? `onMs` ?? 1000 ms. Steady tones have no ramps, so with
 * integer frequencies a 1 s tone loops seamlessly (whole cycles, phase 0 at both ends).
 */
export function generateTone(spec: ToneSpec): Int16Array {
  const { freqs } = spec
  if (!Array.isArray(freqs) || freqs.length === 0 || freqs.length > MAX_FREQS) {
    throw badAudio(`tone: freqs must list 1 to ${MAX_FREQS} frequencies`)
  }
  for (const f of freqs) {
    if (typeof f !== 'number' || !Number.isFinite(f) || f <= 0 || f >= TONE_SAMPLE_RATE / 2) {
      throw badAudio(`tone: frequency ${String(f)} Hz is outside (0, ${TONE_SAMPLE_RATE / 2}) Hz`)
    }
  }
  for (const k of ['onMs', 'offMs', 'durationMs'] as const) {
    const v = spec[k]
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_TONE_MS)) {
      throw badAudio(`tone: ${k} must be between 0 and ${MAX_TONE_MS} ms`)
    }
  }
  const cadenced = (spec.offMs ?? 0) > 0
  const onMs = cadenced ? (spec.onMs ?? 1000) : Infinity
  const offMs = cadenced ? spec.offMs! : 0
  const durationMs = spec.durationMs ?? (cadenced ? onMs + offMs : (spec.onMs ?? 1000))

  const ms = (x: number) => Math.round((x * TONE_SAMPLE_RATE) / 1000)
  const total = ms(durationMs)
  const out = new Int16Array(total)
  const amplitude = (32767 * 10 ** (TONE_PEAK_DBFS / 20)) / freqs.length
  const w = freqs.map((f) => (2 * Math.PI * f) / TONE_SAMPLE_RATE)
  const onLen = cadenced ? ms(onMs) : total
  const period = cadenced ? onLen + ms(offMs) : total
  const ramp = cadenced ? Math.min(ms(RAMP_MS), Math.floor(onLen / 2)) : 0

  for (let burst = 0; burst < total; burst += period) {
    const end = Math.min(burst + onLen, total)
    const len = end - burst
    for (let i = 0; i < len; i++) {
      let s = 0
      for (const wk of w) s += Math.sin(wk * i)
      let g = 1
      if (i < ramp) g = 0.5 - 0.5 * Math.cos((Math.PI * i) / ramp)
      else if (len - 1 - i < ramp) g = 0.5 - 0.5 * Math.cos((Math.PI * (len - 1 - i)) / ramp)
      out[burst + i] = Math.round(s * amplitude * g)
    }
  }
  return out
}
