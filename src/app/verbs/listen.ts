import { parseListen, startListen, type ListenVerbOptions } from './listen/index.js'
import { mediaReady } from './media-ready.js'
import type { VerbDefinition } from './verb.js'

/** jambonz's listen beep: a 1500 Hz tone for half a second before streaming */
const BEEP = { type: 'tone' as const, freqs: [1500], durationMs: 500 }

/**
 * jambonz `listen` (alias `stream`; SPEC §7): answer the call, stream its audio to a
 * websocket (subprotocol audio.jambonz.org) and play back what the socket sends, until
 * the far side closes the socket, `maxLength` passes, the caller presses `finishOnKey`,
 * or the verb is interrupted (then the listen is stopped). The actionHook then gets
 * `reason` (closed / maxLength / finishOnKey / error), `digits` (jambonz: the
 * finishOnKey pressed) and `dtmf` (digits pressed while listening). A socket that cannot
 * be reached ends the verb with reason `error` and the app goes on, as in jambonz.
 */
export const listen: VerbDefinition<ListenVerbOptions> = {
  name: 'listen',
  parse: parseListen,
  async run(ctx, opts, signal) {
    const endpoint = await mediaReady(ctx, opts.earlyMedia)
    if (opts.playBeep) await endpoint.play(BEEP, signal)
    if (signal.aborted) return
    const active = await startListen(ctx, opts, endpoint)
    const stop = (): void => void active.stop()
    signal.addEventListener('abort', stop, { once: true })
    let outcome
    try {
      outcome = await active.outcome
    } finally {
      signal.removeEventListener('abort', stop)
    }
    if (signal.aborted) {
      await active.stop()
      return
    }
    await ctx.actionHook(opts.actionHook, {
      reason: outcome.reason,
      ...(outcome.digits ? { digits: outcome.digits } : {}),
      dtmf: outcome.dtmf,
      ...(outcome.error ? { error: outcome.error.message } : {}),
    })
  },
}
