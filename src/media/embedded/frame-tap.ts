import { g711Decode, type G711Codec } from './codec/g711.js'

/** 20 ms at 8 kHz: the frame every listen / record / conference piece works on. */
export const FRAME_SAMPLES = 160

export type FrameListener = (frame: Int16Array) => void

/**
 * Decodes one direction of an endpoint's audio into 20 ms frames of 160 samples for the
 * consumers that need linear PCM (listen, record, conference). It exists only while a
 * consumer is attached, so a plain relay never decodes anything. Packets of any ptime
 * are re-cut into 160-sample frames; a listener that throws is reported, never rethrown.
 */
export class FrameTap {
  private readonly listeners = new Set<FrameListener>()
  private buffer = new Int16Array(FRAME_SAMPLES)
  private fill = 0
  /** frames produced so far (stats: proves a plain relay decodes nothing) */
  frames = 0
  /** a consumer is attached: a plain field, read for every packet by the relay path */
  active = false

  constructor(private readonly onListenerError: (err: unknown) => void) {}

  add(listener: FrameListener): () => void {
    this.listeners.add(listener)
    this.active = true
    return () => {
      this.listeners.delete(listener)
      this.active = this.listeners.size > 0
    }
  }

  clear(): void {
    this.listeners.clear()
    this.active = false
    this.fill = 0
  }

  /** G.711 octets of one packet. */
  pushEncoded(codec: G711Codec, src: Uint8Array, offset: number, length: number): void {
    let i = 0
    while (i < length) {
      const n = Math.min(length - i, FRAME_SAMPLES - this.fill)
      g711Decode(codec, src, offset + i, n, this.buffer, this.fill)
      this.fill += n
      i += n
      if (this.fill === FRAME_SAMPLES) this.flush()
    }
  }

  /** Linear samples (a prompt frame). */
  pushPcm(pcm: Int16Array): void {
    let i = 0
    while (i < pcm.length) {
      const n = Math.min(pcm.length - i, FRAME_SAMPLES - this.fill)
      this.buffer.set(pcm.subarray(i, i + n), this.fill)
      this.fill += n
      i += n
      if (this.fill === FRAME_SAMPLES) this.flush()
    }
  }

  private flush(): void {
    this.frames++
    const frame = this.buffer
    this.buffer = new Int16Array(FRAME_SAMPLES)
    this.fill = 0
    for (const l of this.listeners) {
      try {
        l(frame)
      } catch (err) {
        try {
          this.onListenerError(err)
        } catch {
          /* reporter failed */
        }
      }
    }
  }
}
