import type { FastifyError, FastifyInstance } from 'fastify'
import { BirdFieldError } from '../../../app/bird/bird-options.js'
import { LivecallError } from '../../../errors/index.js'

/** Bird's error codes by HTTP status (its `error.detailed` shape: `{ code, message, details? }`). */
const BIRD_CODE: Record<number, string> = {
  400: 'InvalidPayload',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  502: 'BadGateway',
}

function body(status: number, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  return { code: BIRD_CODE[status] ?? 'InternalError', message, ...(details ? { details } : {}) }
}

/**
 * The Bird dialect's error shaper, for its routes only (an encapsulated fastify context):
 * Bird's Channels API answers errors as `{ "code": "...", "message": "...", "details": {…} }`
 * with 400 (naming the field in `details.field`), 401, 404, 409. Never a 5xx for bad input.
 */
export function installBirdErrors(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | LivecallError | Error, req, reply) => {
    if (err instanceof BirdFieldError) return reply.code(400).send(body(400, err.message, { field: err.field }))
    if (err instanceof LivecallError) {
      if (err.status >= 500) req.log.error({ err }, 'request failed')
      return reply.code(err.status).send(body(err.status, err.message, { livecallCode: err.code }))
    }
    const fe = err as FastifyError
    if (fe.validation) return reply.code(400).send(body(400, fe.message))
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.code(fe.statusCode).send(body(fe.statusCode, fe.message))
    }
    req.log.error({ err }, 'unexpected error')
    return reply.code(500).send(body(500, 'internal error'))
  })
}
