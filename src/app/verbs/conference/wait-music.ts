import type { Hook } from '../../webhook/index.js'
import type { VerbContext } from '../verb.js'
import { playHookPrompts } from './hook-prompts.js'

/** jambonz plays `silence_stream://750` before each waitHook request: a hook answering short prompts cannot spin */
export const WAIT_HOOK_GAP_MS = 750

/**
 * jambonz conference `waitHook`: while a member waits for the conference to start, the
 * hook is requested and its play/say/pause verbs played, again and again, until `signal`
 * aborts (the conference started, or the call left). An empty answer ends the loop (the
 * member waits in silence); so does a failed request or an invalid answer, which is
 * logged (jambonz: "failed retrieving waitHook") and never ends the call.
 */
export async function playWaitHook(ctx: VerbContext, hook: Hook, signal: AbortSignal): Promise<void> {
  for (let round = 0; !signal.aborted; round++) {
    if (round > 0) await abortableDelay(WAIT_HOOK_GAP_MS, signal)
    if (signal.aborted) return
    try {
      if ((await playHookPrompts(ctx, hook, signal)) === 0) return
    } catch (err) {
      if (!signal.aborted) ctx.logger.warn({ err: (err as Error).message }, 'conference waitHook failed; waiting in silence')
      return
    }
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}
