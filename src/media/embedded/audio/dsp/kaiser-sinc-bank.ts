/**
 * The polyphase filter bank behind {@link Resampler}: a Kaiser-windowed sinc low-pass
 * (J. F. Kaiser, "Nonrecursive digital filter design using the I0-sinh window function",
 * 1974), sampled at `phaseCount` fractional offsets so the inner loop is a plain dot product.
 *
 * For a rational ratio to/from = L/M with L ≤ {@link MAX_PHASES} the bank is exact (one
 * phase per output position); above that the phase is quantised to 1/1024 of an input
 * sample (timing error ≤ 1/2048 sample, below -70 dB for speech-band content).
 */

/** Zero crossings of the sinc on each side of the centre, counted at the cut-off rate. */
const ZERO_CROSSINGS = 20
/** Kaiser β: about -75 dB side lobes. */
const KAISER_BETA = 7.5
/** Cut-off as a fraction of the lower Nyquist frequency; the transition band ends near Nyquist. */
const ROLLOFF = 0.9
export const MAX_PHASES = 1024

export interface SincBank {
  /** output/input ratio as L/M in lowest terms */
  readonly up: number
  readonly down: number
  /** number of phases actually stored (L, or MAX_PHASES when L is larger) */
  readonly phaseCount: number
  /** taps per phase; tap j of the phase for input index i reads input i - half + 1 + j */
  readonly taps: number
  readonly half: number
  /** phaseCount × taps coefficients, each phase normalised to unity DC gain */
  readonly coefficients: Float32Array
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b]
  return a
}

/** Modified Bessel function of the first kind, order 0 (power series). */
function besselI0(x: number): number {
  let sum = 1
  let term = 1
  const q = (x * x) / 4
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k)
    sum += term
    if (term < sum * 1e-12) break
  }
  return sum
}

export function buildSincBank(fromRate: number, toRate: number): SincBank {
  const g = gcd(fromRate, toRate)
  const up = toRate / g
  const down = fromRate / g
  // cut-off in cycles per input sample × 2 (1 = input Nyquist)
  const cutoff = ROLLOFF * Math.min(1, toRate / fromRate)
  const halfWidth = ZERO_CROSSINGS / cutoff // in input samples
  const half = Math.ceil(halfWidth)
  const taps = 2 * half
  const phaseCount = Math.min(up, MAX_PHASES)
  const coefficients = new Float32Array(phaseCount * taps)
  const i0Beta = besselI0(KAISER_BETA)
  for (let p = 0; p < phaseCount; p++) {
    const frac = p / phaseCount
    let sum = 0
    for (let j = 0; j < taps; j++) {
      const x = frac + half - 1 - j // distance from the output instant, in input samples
      const r = x / halfWidth
      let h = 0
      if (Math.abs(r) < 1) {
        const u = cutoff * x
        const sinc = u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u)
        h = cutoff * sinc * (besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0Beta)
      }
      coefficients[p * taps + j] = h
      sum += h
    }
    for (let j = 0; j < taps; j++) coefficients[p * taps + j] /= sum
  }
  return { up, down, phaseCount, taps, half, coefficients }
}
