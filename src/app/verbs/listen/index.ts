export { parseListen, type ListenVerbOptions, type ListenMixType, type ListenSampleRate } from './parse-listen.js'
export { startListen, type ActiveListen, type ListenOutcome, type ListenOutcomeReason } from './start-listen.js'
