import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AudioLoader, AUDIO_ERR, decodeWav } from '../../../src/media/embedded/audio/index.js'
import { goertzel, peak, rms } from '../../fixtures/audio/audio-test-kit.js'

let cacheDir: string
let loader: AudioLoader

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'livecall-audio-say-'))
  loader = new AudioLoader({ cacheDir })
})

afterAll(async () => {
  await loader.close()
  await rm(cacheDir, { recursive: true, force: true })
})

const GREETING = 'Thank you for calling. Please hold while we connect you.'

/** Fraction of 20 ms frames whose level is above -40 dBFS. */
function voicedFraction(pcm: Int16Array): number {
  let voiced = 0
  const frames = Math.floor(pcm.length / 160)
  for (let f = 0; f < frames; f++) if (rms(pcm.subarray(f * 160, f * 160 + 160)) > 328) voiced++
  return voiced / frames
}

describe('say (eSpeak NG, offline)', () => {
  it('speaks: seconds of non-silent 8 kHz audio with its energy in the voice band', async () => {
    const pcm = await loader.load({ type: 'say', text: GREETING })
    const seconds = pcm.length / 8000
    expect(seconds).toBeGreaterThan(2) // ~10 words at 120–200 words per minute
    expect(seconds).toBeLessThan(8)
    expect(peak(pcm)).toBeGreaterThan(3000)
    expect(peak(pcm)).toBeLessThan(32767)
    expect(voicedFraction(pcm)).toBeGreaterThan(0.4)
    const voiceBand = [200, 400, 800, 1200].reduce((s, f) => s + goertzel(pcm, 8000, f), 0)
    const top = [3800, 3900].reduce((s, f) => s + goertzel(pcm, 8000, f), 0)
    expect(voiceBand).toBeGreaterThan(top * 4)
    expect(loader.stats.synthesized).toBe(1)
  })

  it('the second request for the same text and voice comes from the cache', async () => {
    const before = { ...loader.stats }
    const a = await loader.load({ type: 'say', text: GREETING })
    const b = await loader.load({ type: 'say', text: GREETING, voice: 'en-us' })
    expect(b).toBe(a)
    expect(loader.stats.synthesized).toBe(before.synthesized)
    expect(loader.stats.memoryHits).toBe(before.memoryHits + 2)
  })

  it('longer text gives longer speech; parallel requests for one text synthesize once', async () => {
    const short = 'Goodbye.'
    const long = 'Your call is important to us. All of our agents are busy helping other callers. Please stay on the line.'
    const before = loader.stats.synthesized
    const [s1, s2, l] = await Promise.all([
      loader.load({ type: 'say', text: short }),
      loader.load({ type: 'say', text: short }),
      loader.load({ type: 'say', text: long }),
    ])
    expect(s2).toBe(s1)
    expect(l.length).toBeGreaterThan(s1.length * 4)
    expect(loader.stats.synthesized).toBe(before + 2)
  })

  it('another voice gives different audio', async () => {
    const us = await loader.load({ type: 'say', text: 'Hello', voice: 'en-us' })
    const de = await loader.load({ type: 'say', text: 'Hello', voice: 'de' })
    expect(voicedFraction(de)).toBeGreaterThan(0.3)
    expect(de.length === us.length && de.every((v, i) => v === us[i])).toBe(false)
  })

  it('a new loader on the same cacheDir reads the prompt from disk (8 kHz mono WAV) without synthesizing', async () => {
    const files = await readdir(join(cacheDir, 'tts'))
    expect(files.filter((f) => f.endsWith('.wav')).length).toBeGreaterThanOrEqual(3)
    const again = new AudioLoader({ cacheDir })
    try {
      const pcm = await again.load({ type: 'say', text: GREETING })
      expect(again.stats).toMatchObject({ diskHits: 1, synthesized: 0 })
      const original = await loader.load({ type: 'say', text: GREETING })
      expect(Array.from(pcm)).toEqual(Array.from(original))
    } finally {
      await again.close()
    }
    const { readFile } = await import('node:fs/promises')
    const wav = decodeWav(await readFile(join(cacheDir, 'tts', files[0])))
    expect(wav).toMatchObject({ sampleRate: 8000, channelCount: 1, bitsPerSample: 16 })
  })

  it('text that starts with a dash or holds quotes is spoken, not taken as options', async () => {
    const pcm = await loader.load({ type: 'say', text: '-v xx "quoted" text; rm -rf /' })
    expect(voicedFraction(pcm)).toBeGreaterThan(0.3)
  })

  it('aborting a synthesis rejects at once; the result still lands in the cache', async () => {
    const ac = new AbortController()
    const text = 'This sentence is synthesized while the caller hangs up.'
    const before = loader.stats.synthesized
    const p = loader.load({ type: 'say', text }, ac.signal)
    ac.abort()
    await expect(p).rejects.toMatchObject({ name: 'AbortError' })
    await loader.load({ type: 'say', text })
    expect(loader.stats.synthesized).toBe(before + 1) // the second caller joined the running synthesis
  })

  it('an unknown voice is LIVECALL_ERR_MEDIA_TTS (422)', async () => {
    await expect(loader.load({ type: 'say', text: 'hello', voice: 'xx-nosuch' })).rejects.toMatchObject({ code: AUDIO_ERR.TTS, status: 422 })
  })

  it('empty text, an over-long text and a malformed voice name are LIVECALL_ERR_MEDIA_BAD_AUDIO', async () => {
    for (const source of [
      { type: 'say' as const, text: '   ' },
      { type: 'say' as const, text: 'a'.repeat(5001) },
      { type: 'say' as const, text: 'hi', voice: '-w /etc/x' },
    ]) {
      await expect(loader.load(source)).rejects.toMatchObject({ code: AUDIO_ERR.BAD_AUDIO, status: 422 })
    }
  })

  it('the synthesizer keeps working after a failed job', async () => {
    const pcm = await loader.load({ type: 'say', text: 'Still here.' })
    expect(voicedFraction(pcm)).toBeGreaterThan(0.3)
  })
})
