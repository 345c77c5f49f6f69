/**
 * Audio sources of the embedded media engine: PlaySource → 8 kHz mono int16 PCM.
 */
export { AudioLoader, PROMPT_SAMPLE_RATE, type AudioLoaderOptions, type AudioLoaderStats } from './audio-loader.js'
export { AUDIO_ERR } from './audio-errors.js'
export { decodeWav, isWav, WAVE_FORMAT, type DecodedWav } from './wav-decoder.js'
export { encodeWav16 } from './wav-encoder.js'
export { generateTone, TONE_PEAK_DBFS, type ToneSpec } from './tone-generator.js'
export { sniffFormat, type AudioContainer } from './sniff-format.js'
export { resample, resampleYielding, Resampler, downmix, downmixInterleaved, floatToInt16, int16ToFloat } from './dsp/index.js'
