import { badAudio } from './audio-errors.js'
import { ALAW_TO_FLOAT, ULAW_TO_FLOAT } from './dsp/g711-expand.js'

/**
 * RIFF/WAVE reader (Microsoft "Multimedia Programming Interface and Data Specifications
 * 1.0", 1991; WAVE_FORMAT_EXTENSIBLE per the 2001 "Multiple channel audio data and WAVE
 * files" note). Walks the chunk list, skipping anything that is not `fmt ` or `data`
 * (LIST, fact, cue, bext, …), honouring the pad byte after odd-sized chunks.
 *
 * Tolerant of what real writers produce: a data size of 0xFFFFFFFF or one that runs past
 * the end of the file (streamed or truncated recordings) reads to the end of the file.
 * Everything else that is wrong is a LIVECALL_ERR_MEDIA_BAD_AUDIO, never an exception of
 * another kind.
 */

export const WAVE_FORMAT = {
  PCM: 0x0001,
  IEEE_FLOAT: 0x0003,
  ALAW: 0x0006,
  MULAW: 0x0007,
  EXTENSIBLE: 0xfffe,
} as const

export interface DecodedWav {
  sampleRate: number
  channelCount: number
  /** the effective format tag (the sub-format for WAVE_FORMAT_EXTENSIBLE) */
  format: number
  bitsPerSample: number
  /** interleaved samples, normalised to [-1, 1] */
  samples: Float32Array
}

interface FmtChunk {
  format: number
  channelCount: number
  sampleRate: number
  blockAlign: number
  bitsPerSample: number
}

export function isWav(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && ascii(bytes, 0) === 'RIFF' && ascii(bytes, 8) === 'WAVE'
}

export function decodeWav(bytes: Uint8Array, name = 'WAV'): DecodedWav {
  if (bytes.length < 12) throw badAudio(`${name}: too short to be a WAV file (${bytes.length} bytes)`)
  const tag = ascii(bytes, 0)
  if (tag === 'RIFX' || tag === 'RF64') throw badAudio(`${name}: ${tag} WAV files are not supported`)
  if (!isWav(bytes)) throw badAudio(`${name}: not a RIFF/WAVE file`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let fmt: FmtChunk | undefined
  let data: Uint8Array | undefined
  let off = 12
  while (off + 8 <= bytes.length && !(fmt && data)) {
    const id = ascii(bytes, off)
    const declared = view.getUint32(off + 4, true)
    const bodyStart = off + 8
    const available = bytes.length - bodyStart
    const size = declared > available ? available : declared
    if (id === 'fmt ') fmt = readFmt(view, bodyStart, size, name)
    else if (id === 'data') data = bytes.subarray(bodyStart, bodyStart + size)
    off = bodyStart + size + (size & 1)
  }
  if (!fmt) throw badAudio(`${name}: no fmt chunk`)
  if (!data) throw badAudio(`${name}: no data chunk`)
  return { ...fmt, samples: readSamples(data, fmt, name) }
}

function readFmt(view: DataView, at: number, size: number, name: string): FmtChunk {
  if (size < 16) throw badAudio(`${name}: fmt chunk too short (${size} bytes)`)
  let format = view.getUint16(at, true)
  const channelCount = view.getUint16(at + 2, true)
  const sampleRate = view.getUint32(at + 4, true)
  const blockAlign = view.getUint16(at + 12, true)
  const bitsPerSample = view.getUint16(at + 14, true)
  if (format === WAVE_FORMAT.EXTENSIBLE) {
    // cbSize(2) validBits(2) channelMask(4) then the SubFormat GUID whose first 2 bytes are the tag
    if (size < 40) throw badAudio(`${name}: WAVE_FORMAT_EXTENSIBLE fmt chunk too short`)
    format = view.getUint16(at + 24, true)
  }
  if (channelCount < 1) throw badAudio(`${name}: channel count is 0`)
  if (sampleRate < 1000 || sampleRate > 768_000) throw badAudio(`${name}: unsupported sample rate ${sampleRate}`)
  const container = blockAlign / channelCount
  if (!Number.isInteger(container) || container < 1) throw badAudio(`${name}: block align ${blockAlign} does not fit ${channelCount} channels`)
  const fmt = { format, channelCount, sampleRate, blockAlign, bitsPerSample }
  const supported =
    (format === WAVE_FORMAT.PCM && container <= 4 && container === Math.ceil(bitsPerSample / 8)) ||
    (format === WAVE_FORMAT.IEEE_FLOAT && container * 8 === bitsPerSample && (container === 4 || container === 8)) ||
    ((format === WAVE_FORMAT.ALAW || format === WAVE_FORMAT.MULAW) && container === 1 && bitsPerSample === 8)
  if (!supported) {
    throw badAudio(`${name}: unsupported WAV encoding (format 0x${format.toString(16)}, ${bitsPerSample} bits in ${container}-byte samples)`)
  }
  return fmt
}

function readSamples(data: Uint8Array, fmt: FmtChunk, name: string): Float32Array {
  const container = fmt.blockAlign / fmt.channelCount
  const frames = Math.floor(data.length / fmt.blockAlign)
  const n = frames * fmt.channelCount
  const out = new Float32Array(n)
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  switch (fmt.format) {
    case WAVE_FORMAT.ALAW:
    case WAVE_FORMAT.MULAW: {
      const table = fmt.format === WAVE_FORMAT.ALAW ? ALAW_TO_FLOAT : ULAW_TO_FLOAT
      for (let i = 0; i < n; i++) out[i] = table[data[i]]
      return out
    }
    case WAVE_FORMAT.IEEE_FLOAT:
      for (let i = 0; i < n; i++) {
        const v = container === 4 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true)
        out[i] = Number.isFinite(v) ? (v > 1 ? 1 : v < -1 ? -1 : v) : 0
      }
      return out
    case WAVE_FORMAT.PCM:
      if (container === 1) for (let i = 0; i < n; i++) out[i] = (data[i] - 128) / 128 // 8-bit is unsigned
      else if (container === 2) for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true) / 32768
      else if (container === 3)
        for (let i = 0, b = 0; i < n; i++, b += 3) out[i] = ((data[b] | (data[b + 1] << 8) | (data[b + 2] << 16)) << 8 >> 8) / 8388608
      else for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true) / 2147483648
      return out
    default:
      throw badAudio(`${name}: unsupported WAV format 0x${fmt.format.toString(16)}`)
  }
}

function ascii(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3])
}
