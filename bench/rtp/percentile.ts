/** p-th percentile (0..100) of the first `n` values of `values` (sorted copy). */
export function percentile(values: Float64Array | number[], p: number, n = values.length): number {
  if (n === 0) return NaN
  const sorted = Float64Array.from(values.slice(0, n) as ArrayLike<number>).sort()
  const idx = Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))
  return sorted[idx]
}
