import type { FastifyError, FastifyInstance } from 'fastify'
import { LivecallError } from '../../../errors/index.js'

/** Bandwidth v1's error body (node-bandwidth reads `message`; `category` and `code` classify it). */
export interface BandwidthErrorBody {
  category: string
  code: string
  message: string
}

const CATEGORY: Record<number, [string, string]> = {
  400: ['bad-request', 'invalid-request'],
  401: ['authentication', 'unauthorized'],
  403: ['authorization', 'forbidden'],
  404: ['not-found', 'call-not-found'],
  409: ['conflict', 'call-state-conflict'],
  413: ['bad-request', 'request-too-large'],
  415: ['bad-request', 'unsupported-media-type'],
  502: ['unexpected', 'upstream-failure'],
}

/** The error as Bandwidth v1 answers it: `{ category, code, message }`. */
export function bandwidthError(status: number, message: string): BandwidthErrorBody {
  const [category, code] = CATEGORY[status] ?? ['unexpected', 'internal-error']
  return { category, code, message }
}

/**
 * The Bandwidth dialect's error shaper, for its routes only (an encapsulated fastify
 * context): 400 naming the field, 401, 404, 409 in Bandwidth's shape; never a 5xx for
 * bad input.
 */
export function installBandwidthErrors(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | LivecallError | Error, req, reply) => {
    if (err instanceof LivecallError) {
      if (err.status >= 500) req.log.error({ err }, 'request failed')
      return reply.code(err.status).send(bandwidthError(err.status, err.message))
    }
    const fe = err as FastifyError
    if (fe.validation) return reply.code(400).send(bandwidthError(400, fe.message))
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.code(fe.statusCode).send(bandwidthError(fe.statusCode, fe.message))
    }
    req.log.error({ err }, 'unexpected error')
    return reply.code(500).send(bandwidthError(500, 'internal error'))
  })
}
