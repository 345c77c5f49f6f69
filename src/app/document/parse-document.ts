import jambonzSpecs from '@jambonz/verb-specifications'
import type { Logger } from 'pino'
import { VERBS } from '../verbs/index.js'
import { appInvalid } from '../verbs/verb-errors.js'
import type { VerbStep } from '../verbs/verb.js'

const MAX_VERBS = 200

/**
 * A webhook's answer → the verbs to run, or an error naming the first problem (SPEC §4:
 * a document that does not validate is never half-run). Two checks, in order:
 * jambonz's own published verb schemas (`@jambonz/verb-specifications`: both the
 * `{"verb":"say",…}` and the `{"say":{…}}` forms, unknown properties refused), then the
 * verb's own `parse` in livecall (what livecall supports of it, values that make sense).
 * An empty answer (no body, `[]`) is an empty document.
 */
export function parseDocument(doc: unknown, logger: Logger): VerbStep[] {
  if (doc === undefined || doc === null) return []
  const list = Array.isArray(doc) ? doc : typeof doc === 'object' ? [doc] : undefined
  if (!list) throw appInvalid('the application must be a JSON array of verbs')
  if (list.length > MAX_VERBS) throw appInvalid(`the application has ${list.length} verbs; at most ${MAX_VERBS}`)
  let normalized: Array<Record<string, Record<string, unknown>>>
  try {
    normalized = jambonzSpecs.normalizeJambones(logger, list)
    for (const entry of normalized) {
      const [name] = Object.keys(entry)
      if (VERBS.has(name)) jambonzSpecs.validateVerb(name, entry[name] ?? {}, logger)
    }
  } catch (err) {
    throw appInvalid(`invalid application: ${(err as Error).message}`)
  }
  return normalized.map((entry, index) => {
    const [name] = Object.keys(entry)
    const definition = VERBS.get(name)
    if (!definition) throw appInvalid(`verb ${index + 1} (${name}) is not supported by livecall`)
    try {
      return { name, opts: definition.parse(entry[name] ?? {}), definition }
    } catch (err) {
      throw appInvalid(`verb ${index + 1} (${name}): ${(err as Error).message}`)
    }
  })
}
