import type { PlaySource } from '../../media/types.js'
import { appInvalid } from './verb-errors.js'

/**
 * A jambonz `play` URL → a media PlaySource:
 *  - `http(s)://…` a WAV or MP3 fetched by the media engine
 *  - `file:///abs/path.wav` or `/abs/path.wav` a local file
 *  - `tone_stream://%(on,off,f1[,f2])` a cadenced tone (FreeSWITCH's syntax, which jambonz apps use; `tone_stream://440` a steady one)
 *  - `silence_stream://ms` silence
 */
export function playSource(url: string): PlaySource {
  if (/^https?:\/\//i.test(url)) return { type: 'url', url }
  if (url.startsWith('file://')) return { type: 'file', path: decodeURIComponent(new URL(url).pathname) }
  if (url.startsWith('/')) return { type: 'file', path: url }
  const silence = /^silence_stream:\/\/(\d+)$/.exec(url)
  if (silence) return { type: 'silence', durationMs: Number(silence[1]) }
  const tone = /^tone_stream:\/\/(.+)$/.exec(url)
  if (tone) return toneSource(tone[1])
  throw appInvalid(`play: unsupported url ${JSON.stringify(url)} (http, https, file, tone_stream:// or silence_stream://)`)
}

function toneSource(spec: string): PlaySource {
  const cadence = /^%\((\d+),(\d+),(\d+(?:,\d+)*)\)$/.exec(spec)
  if (cadence) {
    const freqs = cadence[3].split(',').map(Number)
    return { type: 'tone', onMs: Number(cadence[1]), offMs: Number(cadence[2]), freqs, durationMs: 30_000 }
  }
  const freqs = spec.split(/[+,]/).map(Number)
  if (freqs.length === 0 || freqs.some((f) => !Number.isFinite(f) || f <= 0 || f > 4000)) {
    throw appInvalid(`play: bad tone_stream ${JSON.stringify(spec)}`)
  }
  return { type: 'tone', freqs, durationMs: 30_000 }
}
