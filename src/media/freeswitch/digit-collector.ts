/**
 * collectDigits on FreeSWITCH: the channel's DTMF events (RFC 4733 telephone-events that
 * FreeSWITCH decoded; drachtio-fsmrf subscribes to DTMF for each endpoint) gathered with
 * the same rules and reasons as the embedded engine. No event-socket command is sent:
 * the timers live here, so the reasons match the interface exactly.
 *
 * Named timers: `first` (timeoutMs, until the first digit), `inter` (interDigitTimeoutMs,
 * after each digit). Both cleared on every outcome.
 */
import type { CollectDigitsOptions, CollectDigitsResult } from '../types.js'

export type DigitSource = (listener: (digit: string) => void) => () => void

export function collectDigitsFrom(subscribe: DigitSource, opts: CollectDigitsOptions, signal?: AbortSignal): Promise<CollectDigitsResult> {
  // no maxDigits: no limit (as the interface and the embedded engine say); a default of 1 ended
  // a gather with finishOnKey after its first digit (gather e2e, production shape)
  const max = opts.maxDigits !== undefined && opts.maxDigits > 0 ? opts.maxDigits : undefined
  return new Promise((resolve) => {
    let digits = ''
    const timers: { first?: NodeJS.Timeout; inter?: NodeJS.Timeout } = {}
    const finish = (reason: CollectDigitsResult['reason']): void => {
      clearTimeout(timers.first)
      clearTimeout(timers.inter)
      unsubscribe()
      signal?.removeEventListener('abort', onAbort)
      resolve({ digits, reason })
    }
    const onAbort = (): void => finish('aborted')
    const unsubscribe = subscribe((digit) => {
      clearTimeout(timers.first)
      clearTimeout(timers.inter)
      if (opts.finishOnKey && opts.finishOnKey.includes(digit)) return finish('finishOnKey')
      digits += digit
      if (max !== undefined && digits.length >= max) return finish('maxDigits')
      if (opts.interDigitTimeoutMs) timers.inter = setTimeout(() => finish('interDigitTimeout'), opts.interDigitTimeoutMs)
      else if (opts.timeoutMs) timers.inter = setTimeout(() => finish('timeout'), opts.timeoutMs)
    })
    if (signal?.aborted) return finish('aborted')
    signal?.addEventListener('abort', onAbort, { once: true })
    if (opts.timeoutMs) timers.first = setTimeout(() => finish('timeout'), opts.timeoutMs)
  })
}
