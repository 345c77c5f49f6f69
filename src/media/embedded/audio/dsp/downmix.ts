/**
 * Multi-channel → mono by averaging (no gain change for correlated channels, no clipping).
 */
export function downmix(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 0) return new Float32Array(0)
  if (channels.length === 1) return channels[0]
  const len = Math.min(...channels.map((c) => c.length))
  const out = new Float32Array(len)
  const k = 1 / channels.length
  for (const ch of channels) for (let i = 0; i < len; i++) out[i] += ch[i]
  for (let i = 0; i < len; i++) out[i] *= k
  return out
}

/** Interleaved frames (c0 c1 … c0 c1 …) → mono by averaging. */
export function downmixInterleaved(samples: Float32Array, channelCount: number): Float32Array {
  if (channelCount === 1) return samples
  const frames = Math.floor(samples.length / channelCount)
  const out = new Float32Array(frames)
  const k = 1 / channelCount
  for (let f = 0, s = 0; f < frames; f++) {
    let acc = 0
    for (let c = 0; c < channelCount; c++) acc += samples[s++]
    out[f] = acc * k
  }
  return out
}
