import { afterAll, describe, expect, it } from 'vitest'
import { AudioLoader, AUDIO_ERR } from '../../../src/media/embedded/audio/index.js'
import type { PlaySource } from '../../../src/media/types.js'
import { goertzel, peak, rms } from '../../fixtures/audio/audio-test-kit.js'

const loader = new AudioLoader()
afterAll(() => loader.close())

const ms = (n: number) => (n * 8000) / 1000
/** -10 dBFS peak */
const PEAK = 32767 * 10 ** (-10 / 20)

describe('tone sources', () => {
  it('US ringback 440+480 Hz, 2 s on / 4 s off for 12 s: two bursts at 0 s and 6 s, silence between', async () => {
    const pcm = await loader.load({ type: 'tone', freqs: [440, 480], onMs: 2000, offMs: 4000, durationMs: 12000 })
    expect(pcm.length).toBe(ms(12000))
    for (const start of [0, 6000]) {
      const on = pcm.subarray(ms(start + 100), ms(start + 1900))
      expect(goertzel(on, 8000, 440)).toBeCloseTo(PEAK / 2, -2)
      expect(goertzel(on, 8000, 480)).toBeCloseTo(PEAK / 2, -2)
      expect(goertzel(on, 8000, 1000)).toBeLessThan(PEAK / 1000)
      // the burst ends at +2 s: sound just before, silence just after
      expect(rms(pcm.subarray(ms(start + 1950), ms(start + 1990)))).toBeGreaterThan(1000)
      expect(peak(pcm.subarray(ms(start + 2000), ms(start + 6000)))).toBe(0)
    }
  })

  it('the summed tone peaks near -10 dBFS and never clips', async () => {
    const pcm = await loader.load({ type: 'tone', freqs: [350, 440], durationMs: 2000 })
    expect(peak(pcm)).toBeLessThanOrEqual(Math.ceil(PEAK))
    expect(peak(pcm)).toBeGreaterThan(PEAK * 0.95)
  })

  it('a steady dial tone 350+440 Hz defaults to 1 s and starts and ends at zero (loops without a click)', async () => {
    const pcm = await loader.load({ type: 'tone', freqs: [350, 440] })
    expect(pcm.length).toBe(8000)
    expect(goertzel(pcm, 8000, 350)).toBeCloseTo(PEAK / 2, -2)
    expect(goertzel(pcm, 8000, 440)).toBeCloseTo(PEAK / 2, -2)
    expect(pcm[0]).toBe(0)
    // next sample after the end would be sample 8000, which equals sample 0 for whole-cycle tones
    expect(Math.abs(pcm[pcm.length - 1] - -pcm[1])).toBeLessThan(5)
  })

  it('a cadenced tone without durationMs is one on+off cycle', async () => {
    const pcm = await loader.load({ type: 'tone', freqs: [425], onMs: 1000, offMs: 4000 })
    expect(pcm.length).toBe(ms(5000))
    expect(rms(pcm.subarray(ms(100), ms(900)))).toBeGreaterThan(PEAK / 2)
    expect(peak(pcm.subarray(ms(1000)))).toBe(0)
  })

  it('bursts ramp in and out over 5 ms instead of starting at full level', async () => {
    const pcm = await loader.load({ type: 'tone', freqs: [1000], onMs: 200, offMs: 200 })
    expect(peak(pcm.subarray(0, 8))).toBeLessThan(PEAK * 0.2)
    expect(peak(pcm.subarray(ms(100), ms(110)))).toBeGreaterThan(PEAK * 0.9)
    expect(peak(pcm.subarray(ms(199), ms(200)))).toBeLessThan(PEAK * 0.2)
  })

  it('a single 1 kHz tone: 1 s, all energy at 1 kHz', async () => {
    const pcm = await loader.load({ type: 'tone', freqs: [1000] })
    expect(goertzel(pcm, 8000, 1000)).toBeCloseTo(PEAK, -2)
  })

  const invalid: Array<[string, PlaySource]> = [
    ['no frequencies', { type: 'tone', freqs: [] }],
    ['a frequency at or above 4 kHz (Nyquist at 8 kHz)', { type: 'tone', freqs: [4000] }],
    ['a negative frequency', { type: 'tone', freqs: [-440] }],
    ['a NaN frequency', { type: 'tone', freqs: [Number.NaN] }],
    ['a negative duration', { type: 'tone', freqs: [440], durationMs: -1 }],
    ['an hour-long tone', { type: 'tone', freqs: [440], durationMs: 3_600_000 }],
  ]
  for (const [label, source] of invalid) {
    it(`${label} is LIVECALL_ERR_MEDIA_BAD_AUDIO`, async () => {
      await expect(loader.load(source)).rejects.toMatchObject({ code: AUDIO_ERR.BAD_AUDIO, status: 422 })
    })
  }
})

describe('silence and unknown sources', () => {
  it('silence is zeros of the asked length', async () => {
    const pcm = await loader.load({ type: 'silence', durationMs: 1500 })
    expect(pcm.length).toBe(12000)
    expect(peak(pcm)).toBe(0)
  })

  it('a negative silence is LIVECALL_ERR_MEDIA_BAD_AUDIO', async () => {
    await expect(loader.load({ type: 'silence', durationMs: -5 })).rejects.toMatchObject({ code: AUDIO_ERR.BAD_AUDIO })
  })

  it('an unknown source type is LIVECALL_ERR_MEDIA_BAD_AUDIO', async () => {
    await expect(loader.load({ type: 'video' } as unknown as PlaySource)).rejects.toMatchObject({ code: AUDIO_ERR.BAD_AUDIO })
  })

  it('an already aborted signal rejects with its reason', async () => {
    const ac = new AbortController()
    ac.abort()
    await expect(loader.load({ type: 'silence', durationMs: 10 }, ac.signal)).rejects.toMatchObject({ name: 'AbortError' })
  })
})

describe('closed loader', () => {
  it('rejects every load with LIVECALL_ERR_MEDIA_CLOSED; close is idempotent', async () => {
    const l = new AudioLoader()
    await l.close()
    await l.close()
    await expect(l.load({ type: 'silence', durationMs: 10 })).rejects.toMatchObject({ code: AUDIO_ERR.CLOSED, status: 409 })
  })
})
