/**
 * sendDigits on FreeSWITCH: `uuid_send_dtmf <uuid> <digits>@<ms>` (mod_commands), which
 * sends RFC 4733 telephone-events and takes the same `w` (500 ms) / `W` (1 s) pauses as
 * send_dtmf. Validated here first, so a bad digit is a 400 and never reaches FreeSWITCH.
 */
import { LivecallError } from '../../errors/index.js'
import type { SendDigitsOptions } from '../types.js'

export const DEFAULT_DIGIT_MS = 500
const MIN_DIGIT_MS = 40
const MAX_DIGIT_MS = 8000
/**
 * What FreeSWITCH 1.10.12 (soft RTP timer) spends per digit beyond its duration: the end
 * packets and the gap to the next event. Measured against the dtmf e2e suite: with 100 ms the
 * hangup after a four-digit `dtmf` verb cut the last digit's end packets.
 */
const INTER_DIGIT_GAP_MS = 250
/** the last digit's three end packets leave FreeSWITCH's queue after its duration */
const LAST_END_PACKETS_MS = 200
const PAUSE_MS: Record<string, number> = { w: 500, W: 1000 }

export function sendDtmfArg(digits: string, opts: SendDigitsOptions): { arg: string; durationMs: number } {
  const bad = [...digits].find((c) => !/^[0-9*#A-DwW]$/.test(c))
  if (bad !== undefined || digits.length === 0) {
    throw new LivecallError('LIVECALL_ERR_MEDIA_BAD_DIGITS', `${JSON.stringify(bad ?? digits)} is not a DTMF digit (0-9 * # A-D, w/W pause)`)
  }
  const durationMs = Math.min(MAX_DIGIT_MS, Math.max(MIN_DIGIT_MS, Math.round(opts.durationMs ?? DEFAULT_DIGIT_MS)))
  return { arg: `${digits}@${durationMs}`, durationMs }
}

/**
 * How long FreeSWITCH takes to send them, end packets included: `uuid_send_dtmf` answers at
 * once, so the verb waits this long before the next one (a hangup) may run.
 */
export function digitsPlayMs(digits: string, durationMs: number): number {
  let ms = LAST_END_PACKETS_MS
  for (const c of digits) ms += PAUSE_MS[c] ?? durationMs + INTER_DIGIT_GAP_MS
  return ms
}
