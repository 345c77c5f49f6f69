import type { PlaySource } from '../../media/types.js'
import { appInvalid } from '../verbs/verb-errors.js'
import { play } from '../verbs/play.js'
import { say } from '../verbs/say.js'
import type { Whisper } from './call-update.js'

const MAX_LOOPS = 20

/**
 * A whisper (SPEC §5: a `say` or `play` verb, or an array of them) as media sources,
 * validated exactly as the verbs are in an application document.
 */
export function parseWhisper(value: unknown): Whisper {
  const list = Array.isArray(value) ? value : [value]
  if (list.length === 0) throw appInvalid('whisper: at least one say or play verb')
  const sources: PlaySource[] = []
  for (const [i, item] of list.entries()) {
    if (typeof item !== 'object' || item === null) throw appInvalid(`whisper[${i}]: must be a say or play verb object`)
    const { verb, ...data } = item as Record<string, unknown>
    if (verb === 'say') {
      const o = say.parse(data)
      for (let n = 0; n < Math.min(o.loop, MAX_LOOPS); n++) sources.push({ type: 'say', text: o.texts[0], ...(o.voice ? { voice: o.voice } : {}) })
    } else if (verb === 'play') {
      const o = play.parse(data)
      for (let n = 0; n < Math.min(o.loop, MAX_LOOPS); n++) sources.push(...o.sources)
    } else {
      throw appInvalid(`whisper[${i}]: verb must be say or play, got ${JSON.stringify(verb)}`)
    }
  }
  return { sources }
}
