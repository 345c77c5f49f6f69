import { buildSincBank, type SincBank } from './kaiser-sinc-bank.js'

/**
 * Band-limited sample-rate conversion by a polyphase Kaiser-windowed sinc (see
 * kaiser-sinc-bank.ts). Down-sampling low-passes at 0.9 × the output Nyquist frequency,
 * so 16 k → 8 k and 44.1 k/48 k → 8 k do not fold the upper band back into speech.
 *
 * Streaming: feed chunks of any size with {@link Resampler.process}, then call
 * {@link Resampler.flush} once at the end of the stream. Output lags input by `half`
 * input samples (≈ 2.9 ms for 8 k → 16 k), which `flush` releases. The whole-buffer
 * output length is ceil(inputLength × to / from), aligned at t = 0.
 * Works on any scale (float in [-1, 1] or int16-valued floats): the filter is linear.
 */
export class Resampler {
  readonly fromRate: number
  readonly toRate: number
  private readonly bank: SincBank
  /** input samples from absolute index `base` on; indices < 0 are zeros (the lead-in) */
  private buf: Float32Array
  private base: number
  private received = 0
  /** next output's input index and phase numerator (output n ↔ input n·down/up) */
  private inIndex = 0
  private phase = 0
  private produced = 0
  private flushed = false

  constructor(fromRate: number, toRate: number) {
    for (const r of [fromRate, toRate]) {
      if (!Number.isInteger(r) || r <= 0 || r > 1_000_000) throw new RangeError(`sample rate must be a positive integer (got ${r})`)
    }
    this.fromRate = fromRate
    this.toRate = toRate
    this.bank = buildSincBank(fromRate, toRate)
    this.base = -(this.bank.half - 1)
    this.buf = new Float32Array(this.bank.half - 1)
  }

  /** Feed the next chunk of input; returns every output sample that is now complete. */
  process(input: ArrayLike<number>): Float32Array {
    if (this.flushed) throw new Error('Resampler: process() after flush()')
    this.append(input)
    this.received += input.length
    return this.drain(this.received)
  }

  /** End of stream: returns the remaining output (the tail held back by the filter delay). */
  flush(): Float32Array {
    if (this.flushed) return new Float32Array(0)
    this.flushed = true
    const { up, down, half } = this.bank
    const total = Math.ceil((this.received * up) / down)
    this.append(new Float32Array(half + 1))
    const out = this.drain(this.received + half + 1)
    return out.subarray(0, Math.max(0, total - (this.produced - out.length)))
  }

  private append(input: ArrayLike<number>): void {
    const keepFrom = Math.min(this.buf.length, Math.max(0, this.inIndex - this.bank.half + 1 - this.base))
    const kept = this.buf.length - keepFrom
    const next = new Float32Array(kept + input.length)
    next.set(this.buf.subarray(keepFrom), 0)
    next.set(input, kept)
    this.buf = next
    this.base += keepFrom
  }

  /** Produce outputs whose whole support lies below absolute input index `available`. */
  private drain(available: number): Float32Array {
    const { up, down, half, taps, phaseCount, coefficients } = this.bank
    const lastIndex = available - half - 1 // largest input index an output may be centred on
    const bound = lastIndex < this.inIndex ? 0 : Math.ceil(((lastIndex - this.inIndex + 1) * up) / down) + 1
    const out = new Float32Array(bound)
    const buf = this.buf
    const exact = phaseCount === up
    let n = 0
    let i = this.inIndex
    let p = this.phase
    while (n < bound) {
      let centre = i
      let ph = p
      if (!exact) {
        ph = Math.round((p * phaseCount) / up)
        if (ph === phaseCount) {
          ph = 0
          centre++
        }
      }
      if (centre > lastIndex) break
      const start = centre - half + 1 - this.base
      const c0 = ph * taps
      let acc = 0
      for (let j = 0; j < taps; j++) acc += buf[start + j] * coefficients[c0 + j]
      out[n++] = acc
      p += down
      if (p >= up) {
        const carry = Math.floor(p / up)
        i += carry
        p -= carry * up
      }
    }
    this.inIndex = i
    this.phase = p
    this.produced += n
    return out.subarray(0, n)
  }
}
