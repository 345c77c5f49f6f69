export { createSipEngine, ENGINE_VERSION, type SipEngine, type SipEngineOptions, type EngineCounts } from './sip-engine.js'
export type { EngineStats } from './transport/engine-stats.js'
