import { MPEGDecoder } from 'mpg123-decoder'
import { badAudio } from './audio-errors.js'
import { downmix } from './dsp/downmix.js'

/** Bytes fed per step; the event loop gets a turn between steps. */
const FEED_BYTES = 64 * 1024

export interface DecodedMp3 {
  sampleRate: number
  /** mono, normalised to [-1, 1] */
  samples: Float32Array
}

/**
 * MPEG-1/2 Layer I–III decoding (ISO/IEC 11172-3, 13818-3) through libmpg123 compiled to
 * WASM (`mpg123-decoder`). One decoder instance is kept and reused (reset between files);
 * decodes are serialised, fed in 64 KiB steps that yield to the event loop.
 * Note: the library itself writes "mpg123-decoder: …" to console.error on corrupt frames.
 */
export class Mp3Decoder {
  private decoder: MPEGDecoder | undefined
  private queue: Promise<unknown> = Promise.resolve()

  decode(bytes: Uint8Array, name = 'MP3'): Promise<DecodedMp3> {
    const run = this.queue.then(() => this.decodeNow(bytes, name))
    this.queue = run.catch(() => undefined)
    return run
  }

  free(): void {
    this.decoder?.free()
    this.decoder = undefined
  }

  private async decodeNow(bytes: Uint8Array, name: string): Promise<DecodedMp3> {
    const decoder = await this.instance()
    const left: Float32Array[] = []
    const right: Float32Array[] = []
    let sampleRate = 0
    try {
      for (let off = 0; off < bytes.length; off += FEED_BYTES) {
        const r = decoder.decode(bytes.subarray(off, off + FEED_BYTES))
        if (r.samplesDecoded > 0) {
          sampleRate = r.sampleRate
          left.push(r.channelData[0])
          right.push(r.channelData[1] ?? r.channelData[0])
        }
        if (off + FEED_BYTES < bytes.length) await new Promise<void>((resolve) => setImmediate(resolve))
      }
      await decoder.reset()
    } catch (err) {
      this.free() // the WASM state is unknown after a trap: start over next time
      throw badAudio(`${name}: MP3 decoder failed`, err)
    }
    if (sampleRate <= 0) throw badAudio(`${name}: no MPEG audio frames found`)
    return { sampleRate, samples: downmix([concat(left), concat(right)]) }
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
  if (parts.length === 1) return parts[0]
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0))
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}
