import { isWav } from './wav-decoder.js'

export type AudioContainer = 'wav' | 'mp3'

/**
 * Recognise the container from its first bytes: RIFF…WAVE, or MPEG audio (an ID3v2 tag,
 * ISO/IEC 11172-3 §2.4.2.3 frame sync of 11 set bits). Returns undefined when unsure.
 */
export function sniffFormat(bytes: Uint8Array): AudioContainer | undefined {
  if (isWav(bytes)) return 'wav'
  if (bytes.length >= 3 && bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33) return 'mp3' // "ID3"
  if (bytes.length >= 2 && bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0 && (bytes[1] & 0x06) !== 0) return 'mp3' // layer ≠ reserved
  return undefined
}

/** Container from a Content-Type header (parameters ignored). */
export function formatFromContentType(contentType: string | null | undefined): AudioContainer | undefined {
  const type = contentType?.split(';')[0].trim().toLowerCase()
  if (!type) return undefined
  if (['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave', 'audio/x-pn-wav'].includes(type)) return 'wav'
  if (['audio/mpeg', 'audio/mp3', 'audio/x-mp3', 'audio/mpeg3', 'audio/x-mpeg-3', 'audio/mpa'].includes(type)) return 'mp3'
  return undefined
}

/** Container from a file name or URL path extension. */
export function formatFromName(name: string): AudioContainer | undefined {
  const m = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(name)
  const ext = m?.[1].toLowerCase()
  if (ext === 'wav' || ext === 'wave') return 'wav'
  if (ext === 'mp3' || ext === 'mpga') return 'mp3'
  return undefined
}
