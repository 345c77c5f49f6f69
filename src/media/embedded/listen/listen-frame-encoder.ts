import { endianness } from 'node:os'
import { HalfBandUpsampler } from './half-band-upsampler.js'

export type ListenMixType = 'mono' | 'stereo' | 'mixed'
export type ListenSampleRate = 8000 | 16000

const IN_RATE = 8000
const HOST_IS_LITTLE_ENDIAN = endianness() === 'LE'
const IN_SAMPLES = 160

/**
 * Turns one 20 ms tick of the two parties (8 kHz frames) into the binary frame of the
 * jambonz listen protocol (SPEC §7): 16-bit little-endian linear PCM, 20 ms, at 8000 or
 * 16000 Hz, with the channel layout of `mixType`, as mod_audio_fork does:
 *
 * - `mono`: the caller's audio only (mod_audio_fork's read stream);
 * - `mixed`: caller + callee summed, clipped to 16 bits, one channel;
 * - `stereo`: two channels interleaved, caller left, callee right.
 *
 * Bytes per frame: 8 k mono/mixed 320, 16 k mono/mixed 640, 8 k stereo 640, 16 k stereo 1280.
 *
 * 16 kHz uses a half-band interpolating FIR per channel (half-band-upsampler.ts), fed
 * every tick so the filter state is continuous; every tick yields exactly one frame.
 */
export class ListenFrameEncoder {
  readonly channels: 1 | 2
  readonly bytesPerFrame: number
  private readonly outSamples: number
  private upsamplers: HalfBandUpsampler[] = []

  constructor(
    readonly sampleRate: ListenSampleRate,
    readonly mixType: ListenMixType,
  ) {
    this.channels = mixType === 'stereo' ? 2 : 1
    this.outSamples = (IN_SAMPLES * sampleRate) / IN_RATE
    this.bytesPerFrame = this.outSamples * 2 * this.channels
    this.reset()
  }

  /** Forget the filter history (after a pause, so old audio does not leak into the restart). */
  reset(): void {
    this.upsamplers = []
    if (this.sampleRate !== IN_RATE) {
      for (let c = 0; c < this.channels; c++) this.upsamplers.push(new HalfBandUpsampler())
    }
  }

  /** One tick; null = that party sent no audio (silence). Frames of the wrong length are padded/cut. */
  encode(caller: Int16Array | null, callee: Int16Array | null): Buffer {
    if (this.mixType === 'stereo') {
      const left = this.convert(0, caller)
      const right = this.convert(1, callee)
      const out = new Int16Array(this.outSamples * 2)
      for (let i = 0; i < this.outSamples; i++) {
        out[2 * i] = left[i]
        out[2 * i + 1] = right[i]
      }
      return toLittleEndian(out)
    }
    const pcm = this.convert(0, this.mixType === 'mixed' ? mix(caller, callee) : caller)
    // never hand the caller's own array to the socket: the endpoint may reuse it next tick
    return toLittleEndian(pcm === caller ? pcm.slice() : pcm)
  }

  private convert(channel: number, frame: Int16Array | null): Int16Array {
    const input = fit(frame)
    const up = this.upsamplers[channel]
    return up ? up.process(input) : input
  }
}

/** Exactly IN_SAMPLES samples: silence for null, zero-padded or cut otherwise. */
function fit(frame: Int16Array | null): Int16Array {
  if (frame && frame.length === IN_SAMPLES) return frame
  const out = new Int16Array(IN_SAMPLES)
  if (frame) out.set(frame.subarray(0, IN_SAMPLES))
  return out
}

function mix(a: Int16Array | null, b: Int16Array | null): Int16Array {
  const x = fit(a)
  const y = fit(b)
  const out = new Int16Array(IN_SAMPLES)
  for (let i = 0; i < IN_SAMPLES; i++) {
    const v = x[i] + y[i]
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v
  }
  return out
}

/** The samples as 16-bit little-endian bytes (the wire format), sharing memory on LE hosts. */
function toLittleEndian(samples: Int16Array): Buffer {
  const b = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength)
  if (!HOST_IS_LITTLE_ENDIAN) b.swap16()
  return b
}
