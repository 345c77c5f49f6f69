import type { Logger } from 'pino'
import type { Call } from '../../../call/call.js'
import { CallFeatures } from '../../../call/call-features.js'
import type { ListenHandle, ListenOptions, MediaEndpoint } from '../../../media/types.js'
import type { ListenVerbOptions } from './parse-listen.js'

/** Why a listen ended, as its actionHook reports it (`reason`). */
export type ListenOutcomeReason = 'closed' | 'maxLength' | 'finishOnKey' | 'stopped' | 'error'

export interface ListenOutcome {
  reason: ListenOutcomeReason
  /** jambonz: the finishOnKey digit, when that key ended the listen */
  digits?: string
  /** every digit the caller pressed while listening, in order (finishOnKey excluded) */
  dtmf: string
  error?: Error
}

/**
 * A running listen: the endpoint's handle (pause/resume for `listen_status`, stop) plus
 * the verb-level outcome, which also knows about finishOnKey.
 */
export interface ActiveListen extends ListenHandle {
  readonly outcome: Promise<ListenOutcome>
}

/** The media handle's optional extra: a JSON text frame to the socket (the embedded forker has it). */
interface TextCapable {
  sendJson(msg: Record<string, unknown>): boolean
}
const canSendText = (h: ListenHandle): h is ListenHandle & TextCapable => typeof (h as Partial<TextCapable>).sendJson === 'function'

/**
 * Start streaming `endpoint`'s audio to opts.url with the jambonz listen protocol
 * (SPEC §7), for `ctx.call`: the first text frame is the call's webhook attributes
 * (`call.describe()`), then `metadata` spread over them (as jambonz's
 * `Object.assign({sampleRate, mixType}, callInfo, metadata)`), with the real
 * `sampleRate` and `mixType`. Caller digits end it on finishOnKey and are passed to the
 * socket with passDtmf. The listen is the call's active one in {@link CallFeatures}
 * until it ends. Used by the `listen` verb and by `dial`'s nested listen (which passes
 * the caller's endpoint). Rejects only when the media endpoint refuses to start.
 */
export async function startListen(ctx: { call: Call; logger: Logger }, opts: ListenVerbOptions, endpoint: MediaEndpoint): Promise<ActiveListen> {
  const mediaOpts: ListenOptions = {
    url: opts.url,
    sampleRate: opts.sampleRate,
    mixType: opts.mixType,
    metadata: { ...ctx.call.describe(), ...opts.metadata },
    ...(opts.maxLengthMs ? { maxLengthMs: opts.maxLengthMs } : {}),
    ...(opts.wsAuth ? { headers: { Authorization: `Basic ${Buffer.from(`${opts.wsAuth.username}:${opts.wsAuth.password}`).toString('base64')}` } } : {}),
    bidirectionalAudio: opts.bidirectionalAudio,
  }
  const handle = await endpoint.startListen(mediaOpts)
  let dtmf = ''
  let finishedBy: string | undefined
  const onDigit = (digit: string, durationMs: number): void => {
    if (opts.passDtmf && canSendText(handle)) handle.sendJson({ event: 'dtmf', dtmf: digit, duration: Math.round(durationMs * 8) })
    if (opts.finishOnKey && digit.toUpperCase() === opts.finishOnKey) {
      finishedBy ??= digit
      void handle.stop()
      return
    }
    if (!finishedBy) dtmf += digit
  }
  const wantsDigits = opts.passDtmf || opts.finishOnKey !== undefined
  if (wantsDigits) endpoint.on('dtmf', onDigit)
  const outcome = handle.done.then((d): ListenOutcome => {
    if (wantsDigits) endpoint.off('dtmf', onDigit)
    if (finishedBy) return { reason: 'finishOnKey', digits: finishedBy, dtmf }
    if (d.error) ctx.logger.warn({ err: d.error.message, url: opts.url }, 'listen ended with an error')
    return { reason: d.reason, dtmf, ...(d.error ? { error: d.error } : {}) }
  })
  const active: ActiveListen = {
    pause: () => handle.pause(),
    resume: () => handle.resume(),
    get paused() {
      return handle.paused
    },
    stop: () => handle.stop(),
    done: handle.done,
    outcome,
  }
  CallFeatures.of(ctx.call).setListen(active)
  return active
}
