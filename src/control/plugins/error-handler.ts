import type { FastifyError, FastifyInstance } from 'fastify'
import { LivecallError, type ErrorCode } from '../../errors/index.js'

/** fastify's own 4xx (bad JSON, wrong content type, too large, …) in livecall's codes */
const CODE_OF_STATUS: Record<number, ErrorCode> = {
  400: 'LIVECALL_ERR_BAD_REQUEST',
  401: 'LIVECALL_ERR_UNAUTHORIZED',
  403: 'LIVECALL_ERR_FORBIDDEN',
  404: 'LIVECALL_ERR_NOT_FOUND',
  413: 'LIVECALL_ERR_PAYLOAD_TOO_LARGE',
  415: 'LIVECALL_ERR_UNSUPPORTED_MEDIA_TYPE',
}

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
      // never a 5xx for bad input: every client error keeps its status, with one of our codes
      const code = CODE_OF_STATUS[fe.statusCode] ?? 'LIVECALL_ERR_BAD_REQUEST'
      return reply.code(fe.statusCode).send({ error: { code, message: fe.message } })
    }
    req.log.error({ err }, 'unexpected error')
    return reply.code(500).send({ error: { code: 'LIVECALL_ERR_INTERNAL', message: 'internal error' } })
  })
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: { code: 'LIVECALL_ERR_NOT_FOUND', message: `no route ${req.method} ${req.url}` } }),
  )
}
