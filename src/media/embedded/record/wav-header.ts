/**
 * The 44-byte canonical RIFF/WAVE header for linear PCM (WAVE format, Microsoft
 * "Multimedia Programming Interface and Data Specifications 1.0", fmt chunk tag 1).
 */
export interface WavFormat {
  sampleRate: number
  channels: number
  bitsPerSample: 16
}

export const WAV_HEADER_BYTES = 44
/** RIFF sizes are 32-bit: the data chunk can hold at most this many bytes */
export const WAV_MAX_DATA_BYTES = 0xffffffff - 36

export function wavHeader(format: WavFormat, dataBytes: number): Buffer {
  const blockAlign = (format.channels * format.bitsPerSample) / 8
  const h = Buffer.alloc(WAV_HEADER_BYTES)
  h.write('RIFF', 0, 'ascii')
  h.writeUInt32LE(36 + dataBytes, 4)
  h.write('WAVE', 8, 'ascii')
  h.write('fmt ', 12, 'ascii')
  h.writeUInt32LE(16, 16)
  h.writeUInt16LE(1, 20) // PCM
  h.writeUInt16LE(format.channels, 22)
  h.writeUInt32LE(format.sampleRate, 24)
  h.writeUInt32LE(format.sampleRate * blockAlign, 28)
  h.writeUInt16LE(blockAlign, 32)
  h.writeUInt16LE(format.bitsPerSample, 34)
  h.write('data', 36, 'ascii')
  h.writeUInt32LE(dataBytes, 40)
  return h
}
