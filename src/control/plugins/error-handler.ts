import type { FastifyError, FastifyInstance } from 'fastify'
import { LivecallError } from '../../errors/index.js'

/** The one place errors become HTTP answers (STYLE §6): `{ "error": { "code", "message" } }` (SPEC §5). */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | LivecallError | Error, req, reply) => {
    if (err instanceof LivecallError) {
      if (err.status >= 500) req.log.error({ err }, 'request failed')
      return reply.code(err.status).send({ error: { code: err.code, message: err.message } })
    }
    const fe = err as FastifyError
    if (fe.validation) {
      return reply.code(400).send({ error: { code: 'LIVECALL_ERR_BAD_REQUEST', message: fe.message } })
    }
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.code(fe.statusCode).send({ error: { code: fe.code ?? 'LIVECALL_ERR_BAD_REQUEST', message: fe.message } })
    }
    req.log.error({ err }, 'unexpected error')
    return reply.code(500).send({ error: { code: 'LIVECALL_ERR_INTERNAL', message: 'internal error' } })
  })
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: { code: 'LIVECALL_ERR_NOT_FOUND', message: `no route ${req.method} ${req.url}` } }),
  )
}
