export { startWavRecorder, WavRecorderState, type WavRecorder, type WavRecorderOptions, type WavRecorderStats } from './wav-recorder.js'
export { wavHeader, WAV_HEADER_BYTES, type WavFormat } from './wav-header.js'
