/**
 * G.711 µ-law (PCMU, static PT 0) and A-law (PCMA, static PT 8), ITU-T G.711; RTP
 * payload format per RFC 3551 §4.5.14: one octet per sample, 8 kHz.
 *
 * Everything is table-driven: decoding is a 256-entry lookup, encoding a 64 Ki-entry
 * lookup indexed by the 16-bit sample, and PCMU↔PCMA transcoding a 256-entry byte map
 * (the relay transcodes without ever going through linear PCM).
 */

export type G711Codec = 'PCMU' | 'PCMA'

/** Static payload types, RFC 3551 §6 table 4. */
export const G711_PAYLOAD_TYPE: Record<G711Codec, number> = { PCMU: 0, PCMA: 8 }

/** The encoded value of digital silence (linear 0). */
export const G711_SILENCE: Record<G711Codec, number> = { PCMU: 0xff, PCMA: 0xd5 }

export const G711_SAMPLE_RATE = 8000

function ulawDecodeOne(u: number): number {
  u = ~u & 0xff
  const sign = u & 0x80
  const exponent = (u >> 4) & 0x07
  const mantissa = u & 0x0f
  const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
  return sign ? -magnitude : magnitude
}

function ulawEncodeOne(sample: number): number {
  const BIAS = 0x84
  const CLIP = 32635
  let sign = 0
  if (sample < 0) {
    sample = -sample
    sign = 0x80
  }
  if (sample > CLIP) sample = CLIP
  sample += BIAS
  let exponent = 7
  for (let mask = 0x4000; (sample & mask) === 0 && exponent > 0; mask >>= 1) exponent--
  const mantissa = (sample >> (exponent + 3)) & 0x0f
  return ~(sign | (exponent << 4) | mantissa) & 0xff
}

function alawDecodeOne(a: number): number {
  a ^= 0x55
  const sign = a & 0x80
  const exponent = (a >> 4) & 0x07
  const mantissa = a & 0x0f
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1)
  return sign ? magnitude : -magnitude
}

function alawEncodeOne(sample: number): number {
  let mask: number
  if (sample >= 0) {
    mask = 0xd5
  } else {
    mask = 0x55
    sample = -sample - 1
  }
  if (sample > 32767) sample = 32767
  let exponent = 7
  for (let m = 0x4000; (sample & m) === 0 && exponent > 0; m >>= 1) exponent--
  const mantissa = exponent === 0 ? (sample >> 4) & 0x0f : (sample >> (exponent + 3)) & 0x0f
  return ((exponent << 4) | mantissa) ^ mask
}

function buildDecodeTable(decode: (b: number) => number): Int16Array {
  const t = new Int16Array(256)
  for (let i = 0; i < 256; i++) t[i] = decode(i)
  return t
}

function buildEncodeTable(encode: (s: number) => number): Uint8Array {
  const t = new Uint8Array(65536)
  for (let i = 0; i < 65536; i++) t[i] = encode(i < 32768 ? i : i - 65536)
  return t
}

const DECODE: Record<G711Codec, Int16Array> = {
  PCMU: buildDecodeTable(ulawDecodeOne),
  PCMA: buildDecodeTable(alawDecodeOne),
}
const ENCODE: Record<G711Codec, Uint8Array> = {
  PCMU: buildEncodeTable(ulawEncodeOne),
  PCMA: buildEncodeTable(alawEncodeOne),
}
function buildTranscodeTable(from: G711Codec, to: G711Codec): Uint8Array {
  const t = new Uint8Array(256)
  for (let i = 0; i < 256; i++) t[i] = ENCODE[to][DECODE[from][i] & 0xffff]
  return t
}
const TRANSCODE = {
  PCMU: buildTranscodeTable('PCMU', 'PCMA'),
  PCMA: buildTranscodeTable('PCMA', 'PCMU'),
}

/** Decode `length` octets at `offset` of `src` into `out` (from index `outOffset`). */
export function g711Decode(codec: G711Codec, src: Uint8Array, offset: number, length: number, out: Int16Array, outOffset = 0): void {
  const table = DECODE[codec]
  for (let i = 0; i < length; i++) out[outOffset + i] = table[src[offset + i]]
}

/** Encode linear 16-bit samples into a new payload. */
export function g711Encode(codec: G711Codec, pcm: Int16Array, start = 0, end = pcm.length): Uint8Array {
  const table = ENCODE[codec]
  const out = new Uint8Array(end - start)
  for (let i = start; i < end; i++) out[i - start] = table[pcm[i] & 0xffff]
  return out
}

/** Encode `pcm[start, end)` into `out` from `outOffset` (no allocation: the prompt path writes straight into the packet). */
export function g711EncodeInto(codec: G711Codec, pcm: Int16Array, start: number, end: number, out: Uint8Array, outOffset: number): void {
  const table = ENCODE[codec]
  for (let i = start, o = outOffset; i < end; i++, o++) out[o] = table[pcm[i] & 0xffff]
}

/** Transcode in place, `from` → the other law (PCMU↔PCMA). */
export function g711TranscodeInPlace(from: G711Codec, buf: Uint8Array, offset: number, length: number): void {
  const table = TRANSCODE[from]
  for (let i = offset, end = offset + length; i < end; i++) buf[i] = table[buf[i]]
}
