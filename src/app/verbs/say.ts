import { mediaReady } from './media-ready.js'
import { appInvalid } from './verb-errors.js'
import { loopCount, optBoolean, optObject, optString } from './verb-options.js'
import type { VerbDefinition } from './verb.js'

export interface SayOptions {
  texts: string[]
  voice?: string
  loop: number
  earlyMedia: boolean
}

/**
 * jambonz `say`: text to speech with the embedded synthesizer. `text` may be a list:
 * jambonz picks one at random each time (so do we). `synthesizer.voice` with
 * vendor `espeak` (or none) choose the voice, an espeak-ng voice name; another vendor's voice is spoken in the default voice.
 * SSML tags are stripped to their text.
 */
export const say: VerbDefinition<SayOptions> = {
  name: 'say',
  parse(data) {
    const raw = Array.isArray(data.text) ? data.text : data.text === undefined ? [] : [data.text]
    const texts = raw.map((t) => stripSsml(String(t))).filter((t) => t.trim().length > 0)
    if (texts.length === 0) throw appInvalid('say needs text')
    const synth = optObject(data, 'synthesizer')
    return {
      texts,
      // a cloud vendor's voice name means nothing to the embedded synthesizer: its default voice speaks
      voice: synth && [undefined, 'default', 'espeak'].includes(optString(synth, 'vendor')) ? optString(synth, 'voice') : undefined,
      loop: loopCount(data),
      earlyMedia: optBoolean(data, 'earlyMedia') ?? false,
    }
  },
  async run(ctx, opts, signal) {
    const endpoint = await mediaReady(ctx, opts.earlyMedia)
    for (let i = 0; i < opts.loop && !signal.aborted; i++) {
      const text = opts.texts[Math.floor(Math.random() * opts.texts.length)]
      const r = await endpoint.play({ type: 'say', text, ...(opts.voice ? { voice: opts.voice } : {}) }, signal)
      if (r.aborted) break
    }
  },
}

export function stripSsml(text: string): string {
  return text.replace(/<[^>]*>/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim()
}
