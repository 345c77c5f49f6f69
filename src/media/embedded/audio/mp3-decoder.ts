import { MPEGDecoder } from 'mpg123-decoder'
import { badAudio } from './audio-errors.js'
import { downmix } from './dsp/downmix.js'
import { Resampler } from './dsp/resampler.js'

/**
 * Bytes per decode() call. decode() reports one sample rate for everything it returns, so
 * small pieces keep a mid-stream rate change (concatenated files) from relabelling audio.
 */
const PIECE_BYTES = 1024
/** Bytes decoded between turns of the event loop. */
const STEP_BYTES = 8 * 1024
/** Longest prompt accepted (a 50 MB MP3 at 32 kb/s would be 3.6 hours). */
export const MAX_MP3_SECONDS = 3600

/**
 * MPEG-1/2 Layer I–III decoding (ISO/IEC 11172-3, 13818-3) through libmpg123 compiled to
 * WASM (`mpg123-decoder`), streamed straight into mono and the target rate so a long file
 * never exists as 44.1 kHz stereo floats in memory. One decoder instance is kept and
 * reused (reset between files); decodes are serialised and fed in 8 KiB steps (about
 * 0.5 s of 128 kb/s audio) with a turn of the event loop between steps. A stream that
 * changes sample rate midway is handled.
 * Note: the library itself writes "mpg123-decoder: …" to console.error on corrupt frames.
 */
export class Mp3Decoder {
  private decoder: MPEGDecoder | undefined
  private queue: Promise<unknown> = Promise.resolve()

  /** mono float samples at `toRate` */
  decode(bytes: Uint8Array, toRate: number, name = 'MP3'): Promise<Float32Array> {
    const run = this.queue.then(() => this.decodeNow(bytes, toRate, name))
    this.queue = run.catch(() => undefined)
    return run
  }

  free(): void {
    this.decoder?.free()
    this.decoder = undefined
  }

  private async decodeNow(bytes: Uint8Array, toRate: number, name: string): Promise<Float32Array> {
    const decoder = await this.instance()
    const parts: Float32Array[] = []
    let produced = 0
    let resampler: Resampler | undefined
    try {
      for (let off = 0; off < bytes.length; off += PIECE_BYTES) {
        const r = decoder.decode(bytes.subarray(off, off + PIECE_BYTES))
        if (r.samplesDecoded > 0 && r.sampleRate > 0) {
          if (resampler && resampler.fromRate !== r.sampleRate) parts.push(resampler.flush())
          if (!resampler || resampler.fromRate !== r.sampleRate) resampler = new Resampler(r.sampleRate, toRate)
          const out = resampler.process(downmix(r.channelData))
          parts.push(out)
          produced += out.length
          if (produced > MAX_MP3_SECONDS * toRate) throw badAudio(`${name}: longer than ${MAX_MP3_SECONDS} s`)
        }
        const next = off + PIECE_BYTES
        if (next % STEP_BYTES === 0 && next < bytes.length) await new Promise<void>((resolve) => setImmediate(resolve))
      }
      await decoder.reset()
    } catch (err) {
      this.free() // unknown decoder state (or a trap): start over next time
      if (err instanceof Error && 'code' in err) throw err
      throw badAudio(`${name}: MP3 decoder failed`, err)
    }
    if (!resampler) throw badAudio(`${name}: no MPEG audio frames found`)
    parts.push(resampler.flush())
    return concat(parts)
  }

  private async instance(): Promise<MPEGDecoder> {
    if (!this.decoder) {
      const d = new MPEGDecoder()
      await d.ready
      this.decoder = d
    }
    return this.decoder
  }
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0))
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}
