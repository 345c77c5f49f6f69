/**
 * A PlaySource as the FreeSWITCH application and argument that play it (mod_dptools
 * `playback`, mod_dptools `speak`). Pure, so the mapping is unit-tested on its own.
 *
 * * file: the path as FreeSWITCH sees it (a volume shared with livecall, see
 *   docs/production.md).
 * * url: http(s) URLs play through mod_http_cache (it registers the http:// and https://
 *   file formats and caches the download), which freeswitch/conf loads.
 * * tone: FreeSWITCH's teletone `tone_stream://%(on,off,f1,f2)`, repeated to the duration.
 * * say: `speak` with mod_flite (`flite|<voice>|<text>`; voices kal, slt, rms, awb).
 * * silence: `silence_stream://<ms>`.
 */
import type { PlaySource } from '../types.js'

export interface FsPlayCommand {
  app: 'playback' | 'speak'
  arg: string
}

export const DEFAULT_FLITE_VOICE = 'kal'

/** One pass of the source (loops are run by the caller, so an abort stops between passes too). */
export function playCommand(source: PlaySource): FsPlayCommand {
  switch (source.type) {
    case 'file':
      return { app: 'playback', arg: source.path }
    case 'url':
      return { app: 'playback', arg: source.url }
    case 'silence':
      return { app: 'playback', arg: `silence_stream://${Math.max(0, Math.round(source.durationMs))}` }
    case 'tone':
      return { app: 'playback', arg: toneStream(source) }
    case 'say':
      return { app: 'speak', arg: `flite|${source.voice && /^[a-z]+$/.test(source.voice) ? source.voice : DEFAULT_FLITE_VOICE}|${sayText(source.text)}` }
  }
}

function toneStream(t: Extract<PlaySource, { type: 'tone' }>): string {
  const on = Math.max(1, Math.round(t.onMs ?? t.durationMs ?? 1000))
  const off = Math.max(0, Math.round(t.offMs ?? 0))
  const freqs = t.freqs.map((f) => Math.round(f)).join(',')
  const period = on + off
  const loops = t.durationMs && t.onMs !== undefined ? Math.max(1, Math.ceil(t.durationMs / period)) : 1
  return `tone_stream://%(${on},${off},${freqs});loops=${loops}`
}

/** speak's argument is one line split on '|': keep the text to one line without the separator */
function sayText(text: string): string {
  return text.replace(/[|\r\n]+/g, ' ').replace(/\s+/g, ' ').trim()
}
