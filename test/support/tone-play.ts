import { makeWav, sine } from '../fixtures/audio/audio-test-kit.js'
import type { LivecallHarness } from './livecall-harness.js'
import { reply } from './webhook-scaffold.js'

/** Serve a looping WAV tone of `freq` Hz at the scaffold's `/tone-<freq>.wav` and return a play verb for it. */
export function tonePlay(h: LivecallHarness, freq: number, loop = 30): Record<string, unknown> {
  const wav = makeWav({ rate: 8000, encoding: 'pcm16', seconds: 1, signal: sine(freq) })
  h.scaffold.route(`/tone-${freq}.wav`, reply({ body: wav, contentType: 'audio/wav' }))
  return { verb: 'play', url: h.scaffold.url(`/tone-${freq}.wav`), loop }
}
