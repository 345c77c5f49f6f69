import { describe, expect, it } from 'vitest'
import { g711Decode, g711Encode, g711TranscodeInPlace, G711_SILENCE } from '../../../src/media/embedded/codec/g711.js'

describe('G.711 tables', () => {
  it('encodes digital silence as 0xFF (µ-law) and 0xD5 (A-law)', () => {
    const zero = new Int16Array(4)
    expect([...g711Encode('PCMU', zero)]).toEqual([0xff, 0xff, 0xff, 0xff])
    expect([...g711Encode('PCMA', zero)]).toEqual([0xd5, 0xd5, 0xd5, 0xd5])
    expect(G711_SILENCE).toEqual({ PCMU: 0xff, PCMA: 0xd5 })
  })

  it('round-trips every code word of both laws', () => {
    for (const codec of ['PCMU', 'PCMA'] as const) {
      const all = Uint8Array.from({ length: 256 }, (_, i) => i)
      const pcm = new Int16Array(256)
      g711Decode(codec, all, 0, 256, pcm)
      const back = g711Encode(codec, pcm)
      for (let i = 0; i < 256; i++) {
        // µ-law has two encodings of zero (0x7F and 0xFF); everything else is exact
        if (codec === 'PCMU' && (i === 0x7f)) continue
        expect(back[i], `${codec} ${i}`).toBe(i)
      }
    }
  })

  it('keeps the quantisation error of a full-scale ramp within the law step', () => {
    for (const codec of ['PCMU', 'PCMA'] as const) {
      const pcm = Int16Array.from({ length: 2000 }, (_, i) => -32000 + i * 32)
      const out = new Int16Array(pcm.length)
      const enc = g711Encode(codec, pcm)
      g711Decode(codec, enc, 0, enc.length, out)
      for (let i = 0; i < pcm.length; i++) expect(Math.abs(out[i] - pcm[i])).toBeLessThanOrEqual(Math.abs(pcm[i]) / 16 + 16)
    }
  })

  it('transcodes PCMU to PCMA the same as decode + encode', () => {
    const u = Uint8Array.from({ length: 256 }, (_, i) => i)
    const pcm = new Int16Array(256)
    g711Decode('PCMU', u, 0, 256, pcm)
    const expected = g711Encode('PCMA', pcm)
    const buf = Uint8Array.from(u)
    g711TranscodeInPlace('PCMU', buf, 0, 256)
    expect([...buf]).toEqual([...expected])
  })
})
