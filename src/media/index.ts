import { EmbeddedMediaEngine, type EmbeddedMediaEngineOptions } from './embedded/embedded-media-engine.js'

export type * from './types.js'
export { EmbeddedMediaEngine, type EmbeddedMediaEngineOptions } from './embedded/embedded-media-engine.js'
export type { EmbeddedEndpoint } from './embedded/embedded-endpoint.js'

/** The embedded RTP engine (RTP_HOST, RTP_PORT_MIN..RTP_PORT_MAX). */
export function createEmbeddedMediaEngine(opts: EmbeddedMediaEngineOptions): EmbeddedMediaEngine {
  return new EmbeddedMediaEngine(opts)
}
