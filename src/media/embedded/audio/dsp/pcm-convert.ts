/**
 * Float ↔ 16-bit linear PCM. `fullScale` is the float value of digital full scale:
 * 1 for normalised [-1, 1] audio, 32768 when the floats already hold int16 values.
 * Rounds to nearest and clips.
 */
export function floatToInt16(samples: Float32Array, fullScale = 1): Int16Array {
  const k = 32768 / fullScale
  const out = new Int16Array(samples.length)
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round(samples[i] * k)
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v
  }
  return out
}

/** int16 → float in [-1, 1). */
export function int16ToFloat(samples: Int16Array): Float32Array {
  const out = new Float32Array(samples.length)
  for (let i = 0; i < samples.length; i++) out[i] = samples[i] / 32768
  return out
}
