import { describe, expect, it } from 'vitest'
import { downmix, downmixInterleaved, resample, Resampler } from '../../../src/media/embedded/audio/index.js'
import { dB, dominantFrequency, goertzel, rms, sineArray } from '../../fixtures/audio/audio-test-kit.js'

/** Skip the filter's edge transients when measuring. */
const trim = (x: Float32Array, n = 200) => x.subarray(n, x.length - n)

describe('resample (polyphase Kaiser-windowed sinc)', () => {
  for (const from of [16000, 44100, 48000, 22050, 11025]) {
    it(`${from} Hz → 8 kHz keeps a 1 kHz sine at 1 kHz and full level, 1 s → 8000 samples`, () => {
      const out = resample(sineArray(1000, from, 1), from, 8000)
      expect(out.length).toBe(8000)
      expect(dominantFrequency(trim(out), 8000)).toBe(1000)
      expect(dB(goertzel(trim(out), 8000, 1000) / 0.5)).toBeCloseTo(0, 1)
    })

    it(`${from} Hz → 8 kHz passes 3 kHz within 0.5 dB`, () => {
      const out = resample(sineArray(3000, from, 1), from, 8000)
      expect(Math.abs(dB(goertzel(trim(out), 8000, 3000) / 0.5))).toBeLessThan(0.5)
    })

    for (const f of [4200, 5000, 7000, 10000]) {
      if (f >= from / 2) continue
      it(`${from} Hz → 8 kHz rejects a ${f} Hz tone by more than 60 dB instead of folding it`, () => {
        const out = resample(sineArray(f, from, 1), from, 8000)
        expect(dB(rms(trim(out)) / (0.5 / Math.SQRT2))).toBeLessThan(-60)
      })
    }
  }

  it('8 kHz → 16 kHz doubles the length, keeps 1 kHz and leaves no image at 7 kHz', () => {
    const out = resample(sineArray(1000, 8000, 1), 8000, 16000)
    expect(out.length).toBe(16000)
    expect(dominantFrequency(trim(out), 16000)).toBe(1000)
    expect(dB(goertzel(trim(out), 16000, 1000) / 0.5)).toBeCloseTo(0, 1)
    expect(dB(goertzel(trim(out), 16000, 7000) / 0.5)).toBeLessThan(-60)
  })

  it('odd rates (44056 Hz, 7999 Hz) convert with the quantised-phase bank', () => {
    for (const from of [44056, 7999]) {
      const out = resample(sineArray(1000, from, 1), from, 8000)
      expect(out.length).toBe(8000)
      expect(dB(goertzel(trim(out), 8000, 1000) / 0.5)).toBeCloseTo(0, 1)
    }
  })

  it('int16 in gives int16 out, rounded and clipped', () => {
    const x = Int16Array.from(sineArray(1000, 16000, 0.5, 1), (v) => Math.round(v * 32767))
    const out = resample(x, 16000, 8000)
    expect(out).toBeInstanceOf(Int16Array)
    expect(out.length).toBe(4000)
    expect(dominantFrequency(out.subarray(100, 3900), 8000)).toBe(1000)
  })

  it('equal rates return a copy', () => {
    const x = sineArray(1000, 8000, 0.1)
    const out = resample(x, 8000, 8000)
    expect(out).not.toBe(x)
    expect(Array.from(out)).toEqual(Array.from(x))
  })

  it('rejects a non-integer or zero rate', () => {
    expect(() => resample(new Float32Array(10), 0, 8000)).toThrow(RangeError)
    expect(() => resample(new Float32Array(10), 8000.5, 8000)).toThrow(RangeError)
  })
})

describe('Resampler (streaming)', () => {
  it('20 ms frames of 8 kHz upsampled to 16 kHz give exactly the whole-buffer result', () => {
    const x = sineArray(1000, 8000, 1)
    const whole = resample(x, 8000, 16000)
    const r = new Resampler(8000, 16000)
    const parts: number[] = []
    for (let off = 0; off < x.length; off += 160) parts.push(...r.process(x.subarray(off, off + 160)))
    parts.push(...r.flush())
    expect(parts.length).toBe(whole.length)
    let maxDiff = 0
    for (let i = 0; i < whole.length; i++) maxDiff = Math.max(maxDiff, Math.abs(parts[i] - whole[i]))
    expect(maxDiff).toBeLessThan(1e-6)
  })

  it('uneven chunks of 44.1 kHz down to 8 kHz match the whole-buffer result', () => {
    const x = sineArray(700, 44100, 0.5)
    const whole = resample(x, 44100, 8000)
    const r = new Resampler(44100, 8000)
    const parts: number[] = []
    let off = 0
    for (const size of [1, 17, 441, 3000, 5, 10000]) {
      parts.push(...r.process(x.subarray(off, off + size)))
      off += size
    }
    parts.push(...r.process(x.subarray(off)))
    parts.push(...r.flush())
    expect(parts.length).toBe(whole.length)
    for (let i = 0; i < whole.length; i++) expect(Math.abs(parts[i] - whole[i])).toBeLessThan(1e-6)
  })

  it('holds back only the filter delay until flush', () => {
    const r = new Resampler(8000, 16000)
    const first = r.process(new Float32Array(160))
    expect(first.length).toBeGreaterThan(260) // 320 minus ~23 input samples of delay × 2
    expect(first.length + r.flush().length).toBe(320)
    expect(() => r.process(new Float32Array(1))).toThrow()
  })
})

describe('downmix', () => {
  it('averages planar channels', () => {
    expect(Array.from(downmix([Float32Array.of(1, 0.5), Float32Array.of(0, -0.5)]))).toEqual([0.5, 0])
  })

  it('averages interleaved frames', () => {
    expect(Array.from(downmixInterleaved(Float32Array.of(1, 0, 0, 0.5, -0.5, 0, 0.25, 0.25, 0.25), 3))).toEqual([
      expect.closeTo(1 / 3, 6),
      0,
      expect.closeTo(0.25, 6),
    ])
  })
})
