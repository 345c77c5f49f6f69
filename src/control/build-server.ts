import Fastify, { type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Metrics } from '../observability/metrics.js'
import { installErrorHandler } from './plugins/error-handler.js'

export interface ControlDeps {
  logger: Logger
  /** what /health reports; throws or returns false when not ready */
  health: () => HealthReport
  /** Prometheus text at GET /metrics when given */
  metrics?: Metrics
}

export interface HealthReport {
  status: 'ok' | 'draining' | 'degraded'
  sip: { connected: boolean }
  uptimeSeconds: number
  [key: string]: unknown
}

/** The HTTP control plane, built apart from listen() so tests can inject() (fastify/demo). */
export function buildServer(deps: ControlDeps): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.logger.child({ component: "http" }) }) as unknown as FastifyInstance
  installErrorHandler(app)
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
