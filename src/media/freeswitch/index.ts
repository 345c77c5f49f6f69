export { FreeswitchMediaEngine, DEFAULT_ESL_LISTEN_PORT, type FreeswitchMediaEngineOptions } from './freeswitch-media-engine.js'
export { FreeswitchEndpoint } from './freeswitch-endpoint.js'
