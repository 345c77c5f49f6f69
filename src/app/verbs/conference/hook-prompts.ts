import jambonzSpecs from '@jambonz/verb-specifications'
import type { Logger } from 'pino'
import { pause } from '../pause.js'
import { play } from '../play.js'
import { say } from '../say.js'
import { appInvalid } from '../verb-errors.js'
import type { VerbContext, VerbDefinition, VerbStep } from '../verb.js'
import type { Hook } from '../../webhook/index.js'
import { appDialectOf } from '../../dialects/app-dialect.js'

/** What a conference waitHook / enterHook may return (jambonz `_playHook`: play, say, pause). */
const PROMPT_VERBS: ReadonlyMap<string, VerbDefinition<unknown>> = new Map(
  ([play, say, pause] as Array<VerbDefinition<never>>).map((v) => [v.name, v as VerbDefinition<unknown>]),
)

/**
 * A waitHook/enterHook answer → its verbs. Only play, say and pause are allowed (jambonz
 * refuses anything else with "unsupported verb in conference waitHook"); every verb is
 * checked against jambonz's schema and livecall's parse, so the list never half-runs.
 */
export function parsePromptDocument(doc: unknown, logger: Logger): VerbStep[] {
  if (doc === undefined || doc === null) return []
  const list = Array.isArray(doc) ? doc : typeof doc === 'object' ? [doc] : undefined
  if (!list) throw appInvalid('a conference waitHook must answer a JSON array of play/say/pause verbs')
  let normalized: Array<Record<string, Record<string, unknown>>>
  try {
    normalized = jambonzSpecs.normalizeJambones(logger, list)
  } catch (err) {
    throw appInvalid(`invalid waitHook document: ${(err as Error).message}`)
  }
  return normalized.map((entry, index) => {
    const [name] = Object.keys(entry)
    const definition = PROMPT_VERBS.get(name)
    if (!definition) throw appInvalid(`waitHook verb ${index + 1} (${name}): only play, say and pause are allowed in a conference waitHook`)
    try {
      jambonzSpecs.validateVerb(name, entry[name] ?? {}, logger)
      return { name, opts: definition.parse(entry[name] ?? {}), definition }
    } catch (err) {
      throw appInvalid(`waitHook verb ${index + 1} (${name}): ${(err as Error).message}`)
    }
  })
}

/**
 * Fetch `hook` (POSTing the call description, as jambonz does) and play what it answers
 * to this call. A nested verb's actionHook is not called: these prompts cannot replace
 * the application. Resolves with the number of verbs played (0: the hook answered nothing).
 */
export async function playHookPrompts(ctx: VerbContext, hook: Hook, signal: AbortSignal): Promise<number> {
  const dialect = appDialectOf(ctx.call)
  let steps: VerbStep[]
  if (dialect.name === 'jambonz') {
    const doc = await ctx.deps.webhooks.fetchDocument(ctx.resolve(hook), ctx.call.describe(), signal)
    steps = parsePromptDocument(doc, ctx.logger)
  } else {
    // an XML app's waitUrl answers an XML document of Say / Play / Pause (TwiML <Conference waitUrl>)
    // (the `answer` every XML document starts with is moot here: the member is answered)
    steps = (await dialect.fetch({ deps: ctx.deps, call: ctx.call }, ctx.resolve(hook), {}, signal)).filter((s) => s.name !== 'answer')
    const other = steps.find((s) => !PROMPT_VERBS.has(s.name))
    if (other) throw appInvalid(`waitUrl document: only Say, Play and Pause are allowed, not ${other.name}`)
  }
  const promptCtx: VerbContext = { ...ctx, actionHook: async () => undefined, redirect: async () => undefined, stop: () => undefined }
  for (const step of steps) {
    if (signal.aborted) break
    await step.definition.run(promptCtx, step.opts, signal)
  }
  return steps.length
}
