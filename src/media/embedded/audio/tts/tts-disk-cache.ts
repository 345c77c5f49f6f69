import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { floatToInt16 } from '../dsp/pcm-convert.js'
import { decodeWav } from '../wav-decoder.js'
import { encodeWav16 } from '../wav-encoder.js'

/**
 * Synthesized prompts on disk, as 8 kHz mono 16-bit WAV files named by
 * sha256(engine, voice, text) under `<cacheDir>/tts/`, so they survive restarts and can
 * be listened to. Written to a temporary name and renamed (readers never see half a
 * file). A read or write failure is a cache miss, never an error for the caller.
 */
export class TtsDiskCache {
  private readonly dir: string

  constructor(cacheDir: string, private readonly engineTag: string) {
    this.dir = join(cacheDir, 'tts')
  }

  pathFor(text: string, voice: string): string {
    const hash = createHash('sha256').update(`${this.engineTag}\0${voice}\0${text}`).digest('hex')
    return join(this.dir, `${hash}.wav`)
  }

  async get(text: string, voice: string): Promise<Int16Array | undefined> {
    let bytes: Uint8Array
    try {
      bytes = await readFile(this.pathFor(text, voice))
    } catch {
      return undefined
    }
    try {
      const wav = decodeWav(bytes)
      if (wav.sampleRate !== 8000 || wav.channelCount !== 1 || wav.bitsPerSample !== 16) return undefined
      return floatToInt16(wav.samples) // exact: int16/32768 is representable in float32
    } catch {
      return undefined
    }
  }

  /** Resolves false when the file could not be written. */
  async put(text: string, voice: string, pcm: Int16Array): Promise<boolean> {
    const path = this.pathFor(text, voice)
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`
    try {
      await mkdir(this.dir, { recursive: true })
      await writeFile(tmp, encodeWav16(pcm, 8000))
      await rename(tmp, path)
      return true
    } catch {
      return false
    }
  }
}
