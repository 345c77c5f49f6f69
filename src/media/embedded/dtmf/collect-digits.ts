import type { CollectDigitsOptions, CollectDigitsResult } from '../../types.js'

/** Anything that emits `digit` events: a DtmfDetector, or the endpoint relaying one. */
export interface DigitSource {
  on(event: 'digit', listener: (digit: string, durationMs?: number) => void): unknown
  off(event: 'digit', listener: (digit: string, durationMs?: number) => void): unknown
}

/**
 * Collect DTMF digits the way jambonz's `gather` verb does (feature-server
 * lib/tasks/gather.js), so applications behave the same:
 *
 * - `timeoutMs` is the overall timer, started when collection starts and NOT restarted
 *   by digits: it ends the collection with whatever was typed → reason 'timeout'.
 * - `interDigitTimeoutMs` is (re)started after each digit, once at least `minDigits`
 *   (default 1) have been typed → reason 'interDigitTimeout'.
 * - `finishOnKey` ends the collection whatever the count (the key is not included in
 *   `digits`); checking `minDigits` is then the application's job, as in jambonz.
 * - `maxDigits` ends it as soon as that many digits were typed.
 * - the AbortSignal ends it → reason 'aborted' (resolved, not rejected).
 *
 * With neither timer nor maxDigits nor finishOnKey nor signal, it waits forever; callers
 * should give a timeout. Digits typed before the call are not seen (no buffering here).
 * Never rejects.
 */
export function collectDigits(
  source: DigitSource,
  opts: CollectDigitsOptions,
  signal?: AbortSignal,
): Promise<CollectDigitsResult> {
  return new Promise<CollectDigitsResult>((resolve) => {
    const maxDigits = positive(opts.maxDigits)
    const minDigits = Math.max(1, positive(opts.minDigits) ?? 1)
    const finishOnKey = opts.finishOnKey ? opts.finishOnKey.toUpperCase() : undefined
    const timeoutMs = positive(opts.timeoutMs)
    const interDigitTimeoutMs = positive(opts.interDigitTimeoutMs)
    const timers: { overall: NodeJS.Timeout | null; interDigit: NodeJS.Timeout | null } = { overall: null, interDigit: null }
    let digits = ''
    let settled = false

    const finish = (reason: CollectDigitsResult['reason']): void => {
      if (settled) return
      settled = true
      if (timers.overall) clearTimeout(timers.overall)
      if (timers.interDigit) clearTimeout(timers.interDigit)
      timers.overall = timers.interDigit = null
      try {
        source.off('digit', onDigit)
      } catch {
        /* a broken source must not keep the promise pending */
      }
      signal?.removeEventListener('abort', onAbort)
      resolve({ digits, reason })
    }

    const onAbort = (): void => finish('aborted')

    const onDigit = (digit: string): void => {
      if (settled || typeof digit !== 'string' || digit.length !== 1) return
      const d = digit.toUpperCase()
      if (timers.interDigit) clearTimeout(timers.interDigit)
      timers.interDigit = null
      if (finishOnKey !== undefined && d === finishOnKey) return finish('finishOnKey')
      digits += d
      if (maxDigits !== undefined && digits.length >= maxDigits) return finish('maxDigits')
      if (interDigitTimeoutMs !== undefined && digits.length >= minDigits) {
        timers.interDigit = setTimeout(() => finish('interDigitTimeout'), interDigitTimeoutMs)
      }
    }

    if (signal?.aborted) return finish('aborted')
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      source.on('digit', onDigit)
    } catch {
      return finish('aborted')
    }
    if (timeoutMs !== undefined) timers.overall = setTimeout(() => finish('timeout'), timeoutMs)
  })
}

function positive(n: number | undefined): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined
}
