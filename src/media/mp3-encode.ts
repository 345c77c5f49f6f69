import { readFile, rm, writeFile } from 'node:fs/promises'
import { Mp3Encoder } from '@breezystack/lamejs'
import { decodeWav } from './embedded/audio/wav-decoder.js'

/** LAME encodes 1152 samples per MPEG frame; feeding whole frames keeps its buffers small. */
const FRAME = 1152
/** 32 kbit/s: plenty for 8 kHz telephone audio (MPEG-2.5 allows 8–64 kbit/s at 8 kHz) */
const KBPS = 32

/**
 * A finished WAV recording → MP3 (MPEG audio layer III through LAME, @breezystack/lamejs),
 * written to `mp3Path`; the WAV is removed. Mono and stereo keep their channels and
 * sample rate.
 */
export async function wavFileToMp3(wavPath: string, mp3Path: string): Promise<void> {
  const wav = decodeWav(new Uint8Array(await readFile(wavPath)), wavPath)
  const channels = Math.min(wav.channelCount, 2)
  const frames = Math.floor(wav.samples.length / wav.channelCount)
  const left = new Int16Array(frames)
  const right = new Int16Array(channels === 2 ? frames : 0)
  for (let i = 0; i < frames; i++) {
    left[i] = toInt16(wav.samples[i * wav.channelCount])
    if (channels === 2) right[i] = toInt16(wav.samples[i * wav.channelCount + 1])
  }
  const encoder = new Mp3Encoder(channels, wav.sampleRate, KBPS)
  // lamejs hands back Int8Array views; the bytes are what counts
  const parts: Buffer[] = []
  const keep = (b: ArrayBufferView) => parts.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
  for (let at = 0; at < frames; at += FRAME) {
    const l = left.subarray(at, at + FRAME)
    keep(channels === 2 ? encoder.encodeBuffer(l, right.subarray(at, at + FRAME)) : encoder.encodeBuffer(l))
  }
  keep(encoder.flush())
  await writeFile(mp3Path, Buffer.concat(parts))
  await rm(wavPath, { force: true })
}

function toInt16(x: number): number {
  const v = Math.round(x * 32767)
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v
}
