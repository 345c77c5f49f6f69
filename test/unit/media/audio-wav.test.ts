import { mkdtemp, rm, writeFile, utimes } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AudioLoader, AUDIO_ERR } from '../../../src/media/embedded/audio/index.js'
import { dominantFrequency, goertzel, makeWav, sine, type WavSpec } from '../../fixtures/audio/audio-test-kit.js'

let dir: string
let loader: AudioLoader

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'livecall-audio-wav-'))
  loader = new AudioLoader()
})

afterAll(async () => {
  await loader.close()
  await rm(dir, { recursive: true, force: true })
})

async function writeWav(name: string, spec: WavSpec | Uint8Array): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, spec instanceof Uint8Array ? spec : makeWav(spec))
  return path
}

async function loadError(path: string): Promise<{ code?: string; status?: number; message: string }> {
  return loader.load({ type: 'file', path }).then(
    () => ({ message: 'resolved' }),
    (e: { code?: string; status?: number; message: string }) => e,
  )
}

/** 0.5 FS sine = 16384 in int16; G.711 and 8-bit quantisation cost a little. */
const HALF_SCALE = 16384

describe('WAV files decode to 8 kHz mono int16', () => {
  const variants: Array<[string, Omit<WavSpec, 'signal' | 'seconds'>]> = [
    ['8-bit unsigned PCM at 8 kHz', { rate: 8000, encoding: 'pcm8' }],
    ['16-bit PCM at 16 kHz', { rate: 16000, encoding: 'pcm16' }],
    ['16-bit PCM stereo at 44.1 kHz', { rate: 44100, encoding: 'pcm16', channels: 2 }],
    ['24-bit PCM at 48 kHz', { rate: 48000, encoding: 'pcm24' }],
    ['32-bit PCM at 22.05 kHz', { rate: 22050, encoding: 'pcm32' }],
    ['32-bit float stereo at 44.1 kHz', { rate: 44100, encoding: 'float32', channels: 2 }],
    ['64-bit float at 32 kHz', { rate: 32000, encoding: 'float64' }],
    ['µ-law (format 7) at 8 kHz', { rate: 8000, encoding: 'ulaw' }],
    ['A-law (format 6) at 8 kHz', { rate: 8000, encoding: 'alaw' }],
    ['WAVE_FORMAT_EXTENSIBLE 24-bit 6 channels at 48 kHz', { rate: 48000, encoding: 'pcm24', channels: 6, extensible: true }],
    ['11.025 kHz 16-bit', { rate: 11025, encoding: 'pcm16' }],
  ]
  for (const [label, spec] of variants) {
    it(`${label}: 1.5 s of a 1 kHz sine comes out as 1.5 s at 8 kHz, at 1 kHz`, async () => {
      const path = await writeWav(`${label.replace(/\W+/g, '-')}.wav`, { ...spec, seconds: 1.5, signal: sine(1000) })
      const pcm = await loader.load({ type: 'file', path })
      expect(pcm).toBeInstanceOf(Int16Array)
      const frames = Math.round(spec.rate * 1.5)
      expect(pcm.length).toBe(Math.ceil((frames * 8000) / spec.rate)) // 12000, or 12001 from 16538 frames at 11.025 kHz
      const body = pcm.subarray(400, pcm.length - 400)
      expect(dominantFrequency(body, 8000)).toBe(1000)
      expect(goertzel(body, 8000, 1000)).toBeGreaterThan(HALF_SCALE * 0.93)
      expect(goertzel(body, 8000, 1000)).toBeLessThan(HALF_SCALE * 1.05)
    })
  }

  it('skips LIST, fact and odd-sized unknown chunks between fmt and data', async () => {
    const path = await writeWav('chunks.wav', {
      rate: 16000,
      encoding: 'pcm16',
      seconds: 1,
      signal: sine(1000),
      extraChunks: [
        { id: 'LIST', body: new TextEncoder().encode('INFOISFT\x05\x00\x00\x00test\x00') },
        { id: 'fact', body: new Uint8Array([0x80, 0x3e, 0, 0]) },
        { id: 'odd!', body: new Uint8Array(7) },
      ],
    })
    const pcm = await loader.load({ type: 'file', path })
    expect(pcm.length).toBe(8000)
    expect(dominantFrequency(pcm.subarray(200, 7800), 8000)).toBe(1000)
  })

  it('downmixes by averaging: 1 kHz left and 600 Hz right both come through at half level', async () => {
    const path = await writeWav('l-r.wav', {
      rate: 44100,
      channels: 2,
      encoding: 'pcm16',
      seconds: 1,
      signal: (t, c) => 0.5 * Math.sin(2 * Math.PI * (c === 0 ? 1000 : 600) * t),
    })
    const body = (await loader.load({ type: 'file', path })).subarray(200, 7800)
    expect(goertzel(body, 8000, 1000)).toBeCloseTo(HALF_SCALE / 2, -2)
    expect(goertzel(body, 8000, 600)).toBeCloseTo(HALF_SCALE / 2, -2)
  })

  it('a 16 kHz file with a 5 kHz tone does not alias into the telephone band', async () => {
    const path = await writeWav('alias.wav', { rate: 16000, encoding: 'pcm16', seconds: 1, signal: sine(5000) })
    const pcm = await loader.load({ type: 'file', path })
    // 5 kHz would fold to 3 kHz at 8 kHz without the low-pass
    expect(goertzel(pcm.subarray(200, 7800), 8000, 3000)).toBeLessThan(HALF_SCALE * 1e-3)
  })

  it('a truncated data chunk decodes what is there', async () => {
    const full = makeWav({ rate: 8000, encoding: 'pcm16', seconds: 1, signal: sine(1000) })
    const path = await writeWav('truncated.wav', full.subarray(0, 44 + 8000)) // half the samples
    expect((await loader.load({ type: 'file', path })).length).toBe(4000)
  })

  it('a streamed WAV with data size 0xFFFFFFFF reads to the end of the file', async () => {
    const wav = makeWav({ rate: 8000, encoding: 'pcm16', seconds: 0.5, signal: sine(1000) })
    new DataView(wav.buffer).setUint32(40, 0xffffffff, true)
    const path = await writeWav('streamed.wav', wav)
    expect((await loader.load({ type: 'file', path })).length).toBe(4000)
  })
})

describe('file cache', () => {
  it('the second load of an unchanged file is served from memory', async () => {
    const path = await writeWav('cached.wav', { rate: 16000, encoding: 'pcm16', seconds: 0.5, signal: sine(1000) })
    const hits = loader.stats.memoryHits
    const a = await loader.load({ type: 'file', path })
    const b = await loader.load({ type: 'file', path })
    expect(b).toBe(a)
    expect(loader.stats.memoryHits).toBe(hits + 1)
  })

  it('a file rewritten in place is decoded again', async () => {
    const path = await writeWav('changing.wav', { rate: 8000, encoding: 'pcm16', seconds: 0.5, signal: sine(1000) })
    const first = await loader.load({ type: 'file', path })
    await writeWav('changing.wav', { rate: 8000, encoding: 'pcm16', seconds: 0.5, signal: sine(600) })
    await utimes(path, new Date(), new Date(Date.now() + 5000))
    const second = await loader.load({ type: 'file', path })
    expect(second).not.toBe(first)
    expect(dominantFrequency(second.subarray(100, 3900), 8000)).toBe(600)
  })

  it('the memory cache is bounded: with room for one prompt, the older one is decoded again', async () => {
    const small = new AudioLoader({ memoryCacheBytes: 10_000 }) // 0.5 s at 8 kHz = 8000 bytes
    const a = await writeWav('lru-a.wav', { rate: 8000, encoding: 'pcm16', seconds: 0.5, signal: sine(1000) })
    const b = await writeWav('lru-b.wav', { rate: 8000, encoding: 'pcm16', seconds: 0.5, signal: sine(600) })
    await small.load({ type: 'file', path: a })
    await small.load({ type: 'file', path: b })
    await small.load({ type: 'file', path: b })
    await small.load({ type: 'file', path: a })
    expect(small.stats).toMatchObject({ decoded: 3, memoryHits: 1 })
    await small.close()
  })

  it('concurrent loads of the same file share one decode', async () => {
    const path = await writeWav('concurrent.wav', { rate: 48000, encoding: 'pcm24', seconds: 0.5, signal: sine(1000) })
    const decoded = loader.stats.decoded
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => loader.load({ type: 'file', path })))
    expect(b).toBe(a)
    expect(c).toBe(a)
    expect(loader.stats.decoded).toBe(decoded + 1)
  })
})

describe('broken or unsupported files give LIVECALL_ERR_MEDIA_BAD_AUDIO (422)', () => {
  const good = () => makeWav({ rate: 8000, encoding: 'pcm16', seconds: 0.1, signal: sine(1000) })
  const patched = (at: number, bytes: number[]) => {
    const w = good()
    w.set(bytes, at)
    return w
  }
  const cases: Array<[string, Uint8Array]> = [
    ['an empty file', new Uint8Array(0)],
    ['random bytes', Uint8Array.from({ length: 4000 }, (_, i) => (i * 7919) % 251)],
    ['a RIFF header and nothing else', new TextEncoder().encode('RIFF\x04\x00\x00\x00WAVE')],
    ['no fmt chunk', (() => { const w = good(); w.set(new TextEncoder().encode('junk'), 12); return w })()],
    ['no data chunk', good().subarray(0, 36)],
    ['an unsupported codec (IMA ADPCM, 0x11)', patched(20, [0x11, 0x00])],
    ['zero channels', patched(22, [0, 0])],
    ['a sample rate of 0', patched(24, [0, 0, 0, 0])],
    ['a block align that does not fit the channels', patched(32, [3, 0])],
    ['a RIFX (big-endian) file', patched(0, [0x52, 0x49, 0x46, 0x58])],
  ]
  for (const [label, bytes] of cases) {
    it(label, async () => {
      const err = await loadError(await writeWav(`bad-${label.replace(/\W+/g, '-')}.wav`, bytes))
      expect(err.code).toBe(AUDIO_ERR.BAD_AUDIO)
      expect(err.status).toBe(422)
    })
  }

  it('a directory is not an audio file', async () => {
    const err = await loadError(dir)
    expect(err.code).toBe(AUDIO_ERR.BAD_AUDIO)
  })

  it('a missing file is LIVECALL_ERR_MEDIA_NOT_FOUND (404)', async () => {
    const err = await loadError(join(dir, 'no-such-file.wav'))
    expect(err.code).toBe(AUDIO_ERR.NOT_FOUND)
    expect(err.status).toBe(404)
  })

  it('a file over maxBytes is refused before reading it', async () => {
    const small = new AudioLoader({ maxBytes: 1000 })
    const path = await writeWav('big.wav', { rate: 8000, encoding: 'pcm16', seconds: 1, signal: sine(1000) })
    const err = await small.load({ type: 'file', path }).catch((e: { code: string }) => e)
    expect(err).toMatchObject({ code: AUDIO_ERR.BAD_AUDIO, status: 422 })
    await small.close()
  })
})
