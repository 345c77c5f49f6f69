import type { PlaySource } from '../types.js'
import { LivecallError } from '../../errors/index.js'

/** Whole prompt as 8 kHz mono 16-bit PCM. */
export type LoadAudio = (source: PlaySource, opts: { signal?: AbortSignal }) => Promise<Int16Array>

/**
 * Stand-in until the audio engineer's `audio/index.ts` loadAudio lands: silence and
 * plain tones only (on/off cadence honoured), everything else refused.
 */
export const loadAudioStub: LoadAudio = async (source) => {
  if (source.type === 'silence') return new Int16Array(Math.max(0, Math.round(source.durationMs * 8)))
  if (source.type === 'tone') {
    const onMs = source.onMs ?? source.durationMs ?? 1000
    const offMs = source.offMs ?? 0
    const total = source.durationMs ?? onMs + offMs
    const pcm = new Int16Array(Math.round(total * 8))
    const amp = 8000 / Math.max(1, source.freqs.length)
    const cycle = (onMs + offMs) * 8
    for (let i = 0; i < pcm.length; i++) {
      if (cycle > 0 && i % cycle >= onMs * 8) continue
      let v = 0
      for (const f of source.freqs) v += Math.sin((2 * Math.PI * f * i) / 8000)
      pcm[i] = Math.round(v * amp)
    }
    return pcm
  }
  throw new LivecallError('LIVECALL_ERR_MEDIA_UNSUPPORTED', `play source '${source.type}' is not available yet`, 501)
}
