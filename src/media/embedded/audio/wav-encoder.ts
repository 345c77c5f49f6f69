/**
 * Minimal RIFF/WAVE writer: mono or interleaved 16-bit PCM (format tag 1), 44-byte header.
 */
export function encodeWav16(samples: Int16Array, sampleRate: number, channelCount = 1): Uint8Array {
  const dataBytes = samples.length * 2
  const out = new Uint8Array(44 + dataBytes)
  const v = new DataView(out.buffer)
  const put = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i)
  }
  put(0, 'RIFF')
  v.setUint32(4, 36 + dataBytes, true)
  put(8, 'WAVE')
  put(12, 'fmt ')
  v.setUint32(16, 16, true)
  v.setUint16(20, 1, true)
  v.setUint16(22, channelCount, true)
  v.setUint32(24, sampleRate, true)
  v.setUint32(28, sampleRate * channelCount * 2, true)
  v.setUint16(32, channelCount * 2, true)
  v.setUint16(34, 16, true)
  put(36, 'data')
  v.setUint32(40, dataBytes, true)
  for (let i = 0; i < samples.length; i++) v.setInt16(44 + i * 2, samples[i], true)
  return out
}
