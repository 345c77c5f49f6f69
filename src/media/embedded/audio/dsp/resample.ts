import { Resampler } from './resampler.js'
import { floatToInt16 } from './pcm-convert.js'

/**
 * Whole-buffer sample-rate conversion with the anti-aliased {@link Resampler}.
 * Returns the same sample type it was given (int16 output is rounded and clipped).
 * Equal rates return a copy.
 */
export function resample(pcm: Int16Array, fromRate: number, toRate: number): Int16Array
export function resample(pcm: Float32Array, fromRate: number, toRate: number): Float32Array
export function resample(pcm: Float32Array | Int16Array, fromRate: number, toRate: number): Float32Array | Int16Array
export function resample(pcm: Float32Array | Int16Array, fromRate: number, toRate: number): Float32Array | Int16Array {
  if (fromRate === toRate) return pcm.slice()
  const r = new Resampler(fromRate, toRate)
  const out = concat(r.process(pcm), r.flush())
  return pcm instanceof Int16Array ? floatToInt16(out, 32768) : out
}

/** Input samples converted per slice before yielding to the event loop. */
const SLICE = 4096

/**
 * Same as {@link resample} for float input, but yields to the event loop between slices so
 * a long file does not stall the RTP pacers of other calls.
 */
export async function resampleYielding(pcm: Float32Array, fromRate: number, toRate: number): Promise<Float32Array> {
  if (fromRate === toRate) return pcm
  const r = new Resampler(fromRate, toRate)
  const parts: Float32Array[] = []
  for (let off = 0; off < pcm.length; off += SLICE) {
    parts.push(r.process(pcm.subarray(off, off + SLICE)))
    if (off + SLICE < pcm.length) await new Promise<void>((resolve) => setImmediate(resolve))
  }
  parts.push(r.flush())
  return concat(...parts)
}

function concat(...parts: Float32Array[]): Float32Array {
  let len = 0
  for (const p of parts) len += p.length
  const out = new Float32Array(len)
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}
