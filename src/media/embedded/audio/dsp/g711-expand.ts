/**
 * G.711 expansion (ITU-T G.711 §2–3) to linear, for µ-law/A-law WAV files
 * (WAVE format tags 7 and 6). Decode only; the RTP codec lives in ../../codec/.
 */
function ulaw(u: number): number {
  u = ~u & 0xff
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 0x07)) - 0x84
  return u & 0x80 ? -magnitude : magnitude
}

function alaw(a: number): number {
  a ^= 0x55
  const exponent = (a >> 4) & 0x07
  const mantissa = a & 0x0f
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1)
  return a & 0x80 ? magnitude : -magnitude
}

function table(expand: (b: number) => number): Float32Array {
  const t = new Float32Array(256)
  for (let i = 0; i < 256; i++) t[i] = expand(i) / 32768
  return t
}

/** byte → float in [-1, 1) */
export const ULAW_TO_FLOAT = table(ulaw)
export const ALAW_TO_FLOAT = table(alaw)
