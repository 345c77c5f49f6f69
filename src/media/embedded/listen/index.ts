export {
  startListenForker,
  LISTEN_SUBPROTOCOL,
  ListenState,
  ListenFlow,
  type ListenForker,
  type ListenForkerDeps,
  type ListenForkerEvents,
  type ListenForkerStats,
  type ListenForkerTuning,
  type ListenDone,
  type ListenEndReason,
} from './listen-forker.js'
export { ListenFrameEncoder, type ListenMixType, type ListenSampleRate } from './listen-frame-encoder.js'
export { BidirectionalAudioDecoder } from './bidirectional-audio-decoder.js'
