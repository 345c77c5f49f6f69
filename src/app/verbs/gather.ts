import type { CollectDigitsResult, MediaEndpoint } from '../../media/types.js'
import type { Hook } from '../webhook/index.js'
import { mediaReady } from './media-ready.js'
import { play, type PlayOptions } from './play.js'
import { say, type SayOptions } from './say.js'
import { appInvalid } from './verb-errors.js'
import { optBoolean, optHook, optNumber, optObject, optString } from './verb-options.js'
import type { VerbContext, VerbDefinition } from './verb.js'

/** The nested prompt: jambonz's gather takes one `say` or one `play`, validated as those verbs are. */
export type GatherPrompt = { verb: 'say'; opts: SayOptions } | { verb: 'play'; opts: PlayOptions }

export interface GatherOptions {
  minDigits: number
  /** undefined: no limit */
  maxDigits?: number
  finishOnKey?: string
  /** overall timer, started once the prompt is over; 0 = none (jambonz) */
  timeoutMs: number
  /** 0 = none */
  interDigitTimeoutMs: number
  /** a digit during the prompt stops it (jambonz dtmfBargein, default true with digits input) */
  dtmfBargein: boolean
  prompt?: GatherPrompt
  actionHook?: Hook
}

/** docs.jambonz.org gather: "timeout … Defaults to 5" (seconds) */
const DEFAULT_TIMEOUT_S = 5
const MAX_SECONDS = 3600
const MAX_DIGITS = 100
const DTMF_KEY = /^[0-9*#A-D]$/

/**
 * jambonz `gather`, DTMF input (feature-server lib/tasks/gather.js): the nested say/play
 * prompt plays while digits are already collected; a digit stops the prompt
 * (dtmfBargein). The collection ends on `numDigits`/`maxDigits` digits, on
 * `finishOnKey` (not included in the digits), after `interDigitTimeout` seconds
 * without a digit once `minDigits` were typed, or when the overall `timeout` (started
 * once the prompt is over, not restarted by digits) runs out: then, as jambonz, with
 * at least `minDigits` digits it is a dtmfDetected result, else a timeout; while an
 * inter-digit timer runs the overall timeout lets it finish. The actionHook gets
 * `{reason: 'dtmfDetected', digits}` or `{reason: 'timeout'}`; without one the app goes on.
 *
 * livecall has no speech recognizer: `input: ['speech']` alone is refused;
 * `['digits', 'speech']` runs as a digits gather (speech is not listened for).
 */
export const gather: VerbDefinition<GatherOptions> = {
  name: 'gather',
  parse(data) {
    const input = parseInput(data.input)
    if (!input.includes('digits')) {
      throw appInvalid("gather: livecall has no speech recognizer; input must include 'digits' (['digits'] or ['digits', 'speech'])")
    }
    const numDigits = count(data, 'numDigits')
    let minDigits = count(data, 'minDigits') ?? 1
    let maxDigits = count(data, 'maxDigits')
    if (numDigits !== undefined) {
      // "exact number of digits": a timeout with fewer is a timeout
      minDigits = numDigits
      maxDigits = numDigits
    }
    if (maxDigits !== undefined && minDigits > maxDigits) throw appInvalid(`gather: minDigits (${minDigits}) is above maxDigits (${maxDigits})`)
    const finishOnKey = optString(data, 'finishOnKey')
    if (finishOnKey !== undefined && !DTMF_KEY.test(finishOnKey.toUpperCase())) {
      throw appInvalid(`gather: finishOnKey must be one DTMF key (0-9 * # A-D), got ${JSON.stringify(finishOnKey)}`)
    }
    if (data.say !== undefined && data.play !== undefined) throw appInvalid('gather: give a nested say or a nested play, not both')
    return {
      minDigits,
      maxDigits,
      finishOnKey: finishOnKey?.toUpperCase(),
      timeoutMs: seconds(data, 'timeout', DEFAULT_TIMEOUT_S),
      interDigitTimeoutMs: seconds(data, 'interDigitTimeout', 0),
      dtmfBargein: optBoolean(data, 'dtmfBargein') ?? true,
      prompt: parsePrompt(data),
      actionHook: optHook(data, 'actionHook'),
    }
  },
  async run(ctx, opts, signal) {
    const endpoint = await mediaReady(ctx, promptEarlyMedia(opts.prompt))
    if (signal.aborted) return
    const result = await new GatherRun(ctx, endpoint, opts, signal).done
    if (result === null) return // interrupted (call gone, app replaced): no actionHook, as jambonz's kill
    await ctx.actionHook(opts.actionHook, result)
  },
}

/** What the actionHook gets (jambonz performAction payloads). */
export type GatherResult = { reason: 'dtmfDetected'; digits: string } | { reason: 'timeout' }

/**
 * One running gather:
 *
 *   Prompting ──prompt over (played, or stopped by a digit)──► Waiting ──► Done
 *   Prompting / Waiting ──collection ends (digits, key, inter-digit, timeout)──► Done
 */
enum GatherState {
  Prompting = 'prompting',
  Waiting = 'waiting',
  Done = 'done',
}

class GatherRun {
  readonly done: Promise<GatherResult | null>
  private state = GatherState.Prompting
  /** ends the collection (the overall timeout, or the verb interrupted) */
  private readonly collection = new AbortController()
  private readonly promptStop = new AbortController()
  private timer: NodeJS.Timeout | undefined
  private timedOut = false
  /** digits typed so far that count (not the finishOnKey), to follow collectDigits' inter-digit timer */
  private typed = 0

  constructor(
    private readonly ctx: VerbContext,
    private readonly endpoint: MediaEndpoint,
    private readonly opts: GatherOptions,
    private readonly signal: AbortSignal,
  ) {
    endpoint.on('dtmf', this.onDigit)
    signal.addEventListener('abort', this.onAbort, { once: true })
    const collecting = endpoint.collectDigits(
      { minDigits: opts.minDigits, maxDigits: opts.maxDigits, finishOnKey: opts.finishOnKey, interDigitTimeoutMs: opts.interDigitTimeoutMs || undefined },
      AbortSignal.any([this.collection.signal, signal]),
    )
    void this.playPrompt()
    this.done = collecting.then(
      (r) => this.finish(r),
      (err: unknown) => {
        this.finish({ digits: '', reason: 'aborted' })
        throw err
      },
    )
  }

  private readonly onDigit = (digit: string): void => {
    if (this.state === GatherState.Done) return
    if (digit.toUpperCase() !== this.opts.finishOnKey) this.typed++
    if (this.opts.dtmfBargein) this.promptStop.abort()
  }

  private readonly onAbort = (): void => {
    this.promptStop.abort()
    this.collection.abort()
  }

  private async playPrompt(): Promise<void> {
    const prompt = this.opts.prompt
    const stop = AbortSignal.any([this.promptStop.signal, this.signal])
    try {
      if (prompt?.verb === 'say') await say.run(this.ctx, prompt.opts, stop)
      else if (prompt?.verb === 'play') await play.run(this.ctx, prompt.opts, stop)
    } catch (err) {
      this.ctx.logger.warn({ err: (err as Error).message }, 'gather: the prompt failed; collecting digits without it')
    }
    if (this.state !== GatherState.Prompting) return
    this.state = GatherState.Waiting
    this.startTimer()
  }

  /** jambonz _startTimer: the overall timeout runs once the prompt is over. */
  private startTimer(): void {
    if (this.opts.timeoutMs <= 0) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      // an inter-digit timer is running (collectDigits restarts it after each digit once
      // minDigits were typed): let it complete, as jambonz does
      if (this.opts.interDigitTimeoutMs > 0 && this.typed >= this.opts.minDigits) return
      this.timedOut = true
      this.collection.abort()
    }, this.opts.timeoutMs)
  }

  private finish(r: CollectDigitsResult): GatherResult | null {
    this.state = GatherState.Done
    clearTimeout(this.timer)
    this.endpoint.off('dtmf', this.onDigit)
    this.signal.removeEventListener('abort', this.onAbort)
    this.promptStop.abort() // jambonz _resolve kills the prompt
    if (r.reason === 'aborted' && !this.timedOut) return null
    if (r.reason === 'aborted' && r.digits.length < this.opts.minDigits) return { reason: 'timeout' }
    return { reason: 'dtmfDetected', digits: r.digits }
  }
}

function parseInput(v: unknown): string[] {
  if (v === undefined) return ['digits'] // jambonz's default
  if (!Array.isArray(v) || v.length === 0) throw appInvalid("gather: input must be a non-empty list of 'digits' / 'speech'")
  for (const i of v) {
    if (i !== 'digits' && i !== 'speech') throw appInvalid(`gather: input ${JSON.stringify(i)} is neither 'digits' nor 'speech'`)
  }
  return v as string[]
}

function count(data: Record<string, unknown>, key: string): number | undefined {
  const n = optNumber(data, key)
  if (n === undefined) return undefined
  if (!Number.isInteger(n) || n < 1 || n > MAX_DIGITS) throw appInvalid(`gather: ${key} must be an integer 1–${MAX_DIGITS}, got ${n}`)
  return n
}

function seconds(data: Record<string, unknown>, key: string, dflt: number): number {
  const n = optNumber(data, key) ?? dflt
  if (n < 0 || n > MAX_SECONDS) throw appInvalid(`gather: ${key} must be 0–${MAX_SECONDS} seconds, got ${n}`)
  return Math.round(n * 1000)
}

function parsePrompt(data: Record<string, unknown>): GatherPrompt | undefined {
  const nestedSay = optObject(data, 'say')
  const nestedPlay = optObject(data, 'play')
  try {
    if (nestedSay) return { verb: 'say', opts: say.parse(nestedSay) }
    // a nested play reports nothing on its own: the gather's actionHook is the one that counts
    if (nestedPlay) return { verb: 'play', opts: { ...play.parse(nestedPlay), actionHook: undefined } }
  } catch (err) {
    throw appInvalid(`gather: nested ${nestedSay ? 'say' : 'play'}: ${(err as Error).message}`)
  }
  if (data.say !== undefined || data.play !== undefined) throw appInvalid('gather: a nested say or play must be an object')
  return undefined
}

function promptEarlyMedia(prompt: GatherPrompt | undefined): boolean {
  return prompt?.opts.earlyMedia ?? false
}
