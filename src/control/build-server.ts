import Fastify, { type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { installErrorHandler } from './plugins/error-handler.js'

export interface ControlDeps {
  logger: Logger
  /** what /health reports; throws or returns false when not ready */
  health: () => HealthReport
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
  return app
}
