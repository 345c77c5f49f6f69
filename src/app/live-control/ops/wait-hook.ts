import type { Call } from '../../../call/call.js'
import type { PlaySource } from '../../../media/types.js'
import { LivecallError } from '../../../errors/index.js'
import { parseDocument } from '../../document/parse-document.js'
import { resolveHook, type Hook } from '../../webhook/index.js'
import type { LiveContext } from '../live-context.js'

/**
 * A wait_hook's answer (play / say / pause verbs, as jambonz's waitHook) as media sources
 * to loop to a held party. Fetched before anything changes, so a failing hook is a 502
 * with the call untouched.
 */
export async function fetchWaitSources(ctx: LiveContext, call: Call, hook: Hook): Promise<PlaySource[]> {
  const resolved = resolveHook(hook, ctx.sessions.get(call.sid)?.applicationHook)
  const doc = await ctx.deps.webhooks.fetchDocument(resolved, call.describe(), call.signal)
  const steps = parseDocument(doc, call.logger)
  const sources: PlaySource[] = []
  for (const step of steps) {
    const o = step.opts as { texts?: string[]; sources?: PlaySource[]; ms?: number; voice?: string }
    if (step.name === 'say' && o.texts) sources.push({ type: 'say', text: o.texts[0], ...(o.voice ? { voice: o.voice } : {}) })
    else if (step.name === 'play' && o.sources) sources.push(...o.sources)
    else if (step.name === 'pause' && o.ms !== undefined) sources.push({ type: 'silence', durationMs: o.ms })
    else throw new LivecallError('LIVECALL_ERR_APP_INVALID', `wait_hook may only return play, say or pause verbs, got ${step.name}`)
  }
  return sources
}
