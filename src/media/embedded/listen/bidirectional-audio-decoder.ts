import { floatToInt16, Resampler } from '../audio/dsp/index.js'

const OUT_RATE = 8000
const FRAME_SAMPLES = 160

/**
 * Audio sent back by the listen websocket (SPEC §7 bidirectional audio): 16-bit
 * little-endian PCM at `sampleRate`, in chunks of any size, possibly split in the middle
 * of a sample. Produces 8 kHz frames of 160 samples the endpoint can play; the last
 * partial frame waits for the next chunk.
 */
export class BidirectionalAudioDecoder {
  private readonly resampler: Resampler | null
  private carryByte: number | null = null
  private pending = new Float32Array(0)

  constructor(readonly sampleRate: number) {
    this.resampler = sampleRate === OUT_RATE ? null : new Resampler(sampleRate, OUT_RATE)
  }

  /** Decode one chunk; returns the complete 8 kHz frames it finishes (possibly none). */
  push(chunk: Uint8Array): Int16Array[] {
    let bytes = chunk
    if (this.carryByte !== null) {
      const joined = new Uint8Array(chunk.length + 1)
      joined[0] = this.carryByte
      joined.set(chunk, 1)
      bytes = joined
      this.carryByte = null
    }
    const n = bytes.length >> 1
    if (bytes.length & 1) this.carryByte = bytes[bytes.length - 1]
    const view = new DataView(bytes.buffer, bytes.byteOffset, n * 2)
    const pcm = new Int16Array(n)
    for (let i = 0; i < n; i++) pcm[i] = view.getInt16(i * 2, true)
    this.append(this.resampler ? this.resampler.process(pcm) : pcm)
    const frames: Int16Array[] = []
    let off = 0
    while (this.pending.length - off >= FRAME_SAMPLES) {
      frames.push(floatToInt16(this.pending.subarray(off, off + FRAME_SAMPLES), 32768))
      off += FRAME_SAMPLES
    }
    this.pending = this.pending.slice(off)
    return frames
  }

  /** Drop the partial frame (the far side asked to stop what it was playing). */
  clear(): void {
    this.pending = new Float32Array(0)
    this.carryByte = null
  }

  private append(samples: ArrayLike<number>): void {
    if (samples.length === 0) return
    const next = new Float32Array(this.pending.length + samples.length)
    next.set(this.pending)
    next.set(samples, this.pending.length)
    this.pending = next
  }
}
