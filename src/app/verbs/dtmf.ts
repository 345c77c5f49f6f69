import { mediaReady } from './media-ready.js'
import { appInvalid } from './verb-errors.js'
import { optNumber } from './verb-options.js'
import type { VerbDefinition } from './verb.js'

export interface DtmfOptions {
  digits: string
  durationMs: number
}

/** jambonz's default tone length per digit (feature-server lib/tasks/dtmf.js) */
const DEFAULT_DURATION_MS = 500
/** what the RFC 4733 duration field can carry (8.19 s at 8 kHz), and a tone a detector can see */
const MIN_DURATION_MS = 40
const MAX_DURATION_MS = 8000
const MAX_DIGITS = 100

/**
 * jambonz `dtmf`: send `dtmf` to the caller as RFC 4733 telephone-events, each digit
 * `duration` ms long (default 500). jambonz runs FreeSWITCH's send_dtmf, so `w` is a
 * 500 ms pause and `W` a one-second pause; so they are here. The verb ends once the
 * last digit has been sent. No actionHook (jambonz has none).
 */
export const dtmf: VerbDefinition<DtmfOptions> = {
  name: 'dtmf',
  parse(data) {
    const digits = typeof data.dtmf === 'string' ? data.dtmf : ''
    if (digits.length === 0) throw appInvalid('dtmf needs a non-empty string of digits')
    if (digits.length > MAX_DIGITS) throw appInvalid(`dtmf has ${digits.length} characters; at most ${MAX_DIGITS}`)
    const bad = /[^0-9*#A-Da-dwW]/.exec(digits)
    if (bad) throw appInvalid(`dtmf: ${JSON.stringify(bad[0])} is not a DTMF digit (0-9 * # A-D, w = 0.5 s pause, W = 1 s pause)`)
    const durationMs = optNumber(data, 'duration') ?? DEFAULT_DURATION_MS
    if (durationMs < MIN_DURATION_MS || durationMs > MAX_DURATION_MS) {
      throw appInvalid(`dtmf duration must be ${MIN_DURATION_MS}–${MAX_DURATION_MS} ms, got ${durationMs}`)
    }
    return { digits: digits.replace(/[a-d]/g, (c) => c.toUpperCase()), durationMs: Math.round(durationMs) }
  },
  async run(ctx, opts, signal) {
    const endpoint = await mediaReady(ctx)
    await endpoint.sendDigits(opts.digits, { durationMs: opts.durationMs }, signal)
  },
}
