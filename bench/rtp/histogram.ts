/**
 * Fixed-bin latency histogram (10 µs bins up to 200 ms, one overflow bin): recording a
 * sample is one array increment, so a peer can record every packet of a 60 s run at
 * 100 k packets/s without keeping the samples. Histograms from several processes merge
 * by adding their bins.
 */
export const BIN_MS = 0.01
export const BINS = 20_000

export function createHistogram(): Uint32Array {
  return new Uint32Array(BINS + 1)
}

export function record(h: Uint32Array, ms: number): void {
  const bin = ms <= 0 ? 0 : Math.floor(ms / BIN_MS)
  h[bin < BINS ? bin : BINS]++
}

export function merge(into: Uint32Array, from: ArrayLike<number>): void {
  for (let i = 0; i < into.length; i++) into[i] += from[i]
}

export function count(h: ArrayLike<number>): number {
  let n = 0
  for (let i = 0; i < h.length; i++) n += h[i]
  return n
}

/** p-th percentile (0..100) in ms (upper edge of the bin; the overflow bin reads as 200 ms). */
export function percentileOf(h: ArrayLike<number>, p: number): number {
  const n = count(h)
  if (n === 0) return NaN
  const rank = Math.max(1, Math.ceil((p / 100) * n))
  let seen = 0
  for (let i = 0; i < h.length; i++) {
    seen += h[i]
    if (seen >= rank) return (i + 1) * BIN_MS
  }
  return BINS * BIN_MS
}
