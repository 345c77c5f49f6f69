import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AudioLoader, AUDIO_ERR } from '../../../src/media/embedded/audio/index.js'
import { dominantFrequency, goertzel } from '../../fixtures/audio/audio-test-kit.js'

/** Both made with LAME 3.100 from a 1 s, 0.5 FS, 1 kHz sine (see test/fixtures/audio/README.md). */
const FIXTURES = fileURLToPath(new URL('../../fixtures/audio/', import.meta.url))
const MONO_22K = join(FIXTURES, 'sine1k-mono-22k.mp3') // MPEG-2 Layer III, 22.05 kHz mono, 32 kb/s
const STEREO_44K = join(FIXTURES, 'sine1k-stereo-44k.mp3') // MPEG-1 Layer III, 44.1 kHz joint stereo, 96 kb/s

let dir: string
let loader: AudioLoader

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'livecall-audio-mp3-'))
  loader = new AudioLoader()
})

afterAll(async () => {
  await loader.close()
  await rm(dir, { recursive: true, force: true })
})

describe('MP3 files decode through mpg123 to 8 kHz mono', () => {
  it('44.1 kHz joint-stereo MP3: exactly 1 s (gapless trim from the LAME header) of 1 kHz', async () => {
    const pcm = await loader.load({ type: 'file', path: STEREO_44K })
    expect(pcm.length).toBe(8000)
    const body = pcm.subarray(400, 7600)
    expect(dominantFrequency(body, 8000)).toBe(1000)
    expect(goertzel(body, 8000, 1000)).toBeGreaterThan(16384 * 0.85)
  })

  it('22.05 kHz mono MPEG-2 MP3: about 1 s of 1 kHz (mpg123 does not trim LSF padding)', async () => {
    const pcm = await loader.load({ type: 'file', path: MONO_22K })
    expect(pcm.length).toBeGreaterThanOrEqual(8000)
    expect(pcm.length).toBeLessThan(8000 * 1.2)
    expect(dominantFrequency(pcm.subarray(800, 7200), 8000)).toBe(1000)
    expect(goertzel(pcm.subarray(800, 7200), 8000, 1000)).toBeGreaterThan(16384 * 0.85)
  })

  it('is recognised by its bytes, whatever the file name says', async () => {
    const path = join(dir, 'prompt.wav')
    await writeFile(path, await readFile(STEREO_44K))
    expect((await loader.load({ type: 'file', path })).length).toBe(8000)
  })

  it('the decoder is reused: several MP3s in a row and in parallel all decode', async () => {
    const results = await Promise.all(
      [MONO_22K, STEREO_44K, MONO_22K].map(async (src, i) => {
        const path = join(dir, `copy-${i}.mp3`)
        await writeFile(path, await readFile(src))
        return loader.load({ type: 'file', path })
      }),
    )
    for (const pcm of results) expect(dominantFrequency(pcm.subarray(800, 7200), 8000)).toBe(1000)
  })

  it('two MP3s joined end to end (22.05 kHz then 44.1 kHz) decode as about 2 s of 1 kHz', async () => {
    const path = join(dir, 'joined.mp3')
    await writeFile(path, Buffer.concat([await readFile(MONO_22K), await readFile(STEREO_44K)]))
    const pcm = await loader.load({ type: 'file', path })
    expect(pcm.length).toBeGreaterThan(8000 * 1.9)
    expect(pcm.length).toBeLessThan(8000 * 2.4)
    expect(dominantFrequency(pcm.subarray(pcm.length - 7200, pcm.length - 800), 8000)).toBe(1000)
  })

  it('a truncated MP3 decodes the frames that are there', async () => {
    const bytes = await readFile(STEREO_44K)
    const path = join(dir, 'half.mp3')
    await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)))
    const pcm = await loader.load({ type: 'file', path })
    expect(pcm.length).toBeGreaterThan(2000)
    expect(pcm.length).toBeLessThan(6000)
  })

  it('an .mp3 with no MPEG frames is LIVECALL_ERR_MEDIA_BAD_AUDIO', async () => {
    const path = join(dir, 'garbage.mp3')
    await writeFile(path, Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) % 256 & 0x7f))
    await expect(loader.load({ type: 'file', path })).rejects.toMatchObject({ code: AUDIO_ERR.BAD_AUDIO, status: 422 })
  })

  it('an ID3 tag followed by nothing is LIVECALL_ERR_MEDIA_BAD_AUDIO', async () => {
    const path = join(dir, 'id3-only.mp3')
    await writeFile(path, Buffer.from('4944330300000000000a00000000000000000000', 'hex'))
    await expect(loader.load({ type: 'file', path })).rejects.toMatchObject({ code: AUDIO_ERR.BAD_AUDIO, status: 422 })
  })
})
