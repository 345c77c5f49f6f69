import Fastify, { LogController, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { CallEvents } from '../app/events/call-events.js'
import type { LiveControl } from '../app/live-control/live-control.js'
import type { Metrics } from '../observability/metrics.js'
import { installErrorHandler } from './plugins/error-handler.js'
import { registerOpenApi } from './plugins/openapi.js'
import { RESTCOMM, SIGNALWIRE, TWILIO, twilioCallsRoutes } from './routes/twilio/twilio-routes.js'
import { nativeCallsRoutes } from './routes/native/calls-routes.js'
import { eventsRoutes } from './routes/native/events-routes.js'
import { consoleRoutes } from './console/console-routes.js'
import { birdRoutes } from './routes/bird/bird-routes.js'
import { bandwidthRoutes } from './routes/bandwidth/bandwidth-routes.js'

export interface ControlDeps {
  logger: Logger
  /** what /health reports; throws or returns false when not ready */
  health: () => HealthReport
  /** Prometheus text at GET /metrics when given */
  metrics?: Metrics
  /** the live call control API (SPEC §5) when given, behind Bearer API_KEY */
  live?: { control: LiveControl; apiKey: string; events?: CallEvents }
}

/** Control requests are small JSON documents; anything bigger is refused (413). */
const BODY_LIMIT = 64 * 1024

export interface HealthReport {
  status: 'ok' | 'draining' | 'degraded'
  sip: { connected: boolean }
  uptimeSeconds: number
  [key: string]: unknown
}

/** The HTTP control plane, built apart from listen() so tests can inject() (fastify/demo). */
export function buildServer(deps: ControlDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'http' }),
    bodyLimit: BODY_LIMIT,
    // no type coercion: `"body": 42` or `"mute_status": true` must be refused (400), not turned into strings
    ajv: { customOptions: { coerceTypes: false } },
    // the event stream accepts ?api_key= (EventSource cannot set headers): such a URL is never logged
    logController: new LogController({ disableRequestLogging: (req: { url?: string }) => /[?&]api_key=/.test(req.url ?? '') }),
  }) as unknown as FastifyInstance
  // control bodies are JSON only: text/plain is a 415 like any other type (fastify parses it by default)
  app.removeContentTypeParser('text/plain')
  installErrorHandler(app)
  const live = deps.live
  if (live) {
    void app.register(registerOpenApi)
    void app.register(nativeCallsRoutes(live.control, live.apiKey))
    if (live.events) {
      void app.register(eventsRoutes(live.events, live.apiKey))
      void app.register(consoleRoutes())
    }
    void app.register(birdRoutes(live.control, live.apiKey))
    void app.register(bandwidthRoutes(live.control, live.apiKey))
    for (const flavor of [TWILIO, SIGNALWIRE, RESTCOMM]) void app.register(twilioCallsRoutes(live.control, live.apiKey, flavor))
  }
  app.get('/health', async (_req, reply) => {
    const h = deps.health()
    return reply.code(h.status === 'ok' ? 200 : 503).send(h)
  })
  const metrics = deps.metrics
  if (metrics) {
    app.get('/metrics', async (_req, reply) => reply.header('content-type', metrics.contentType).send(await metrics.text()))
  }
  return app
}
