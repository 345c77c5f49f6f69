import { timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { LivecallError } from '../../errors/index.js'

/**
 * SPEC §5: every native route needs `Authorization: Bearer API_KEY` (401 without it or
 * with a wrong key). Compared in constant time.
 */
export function bearerAuth(apiKey: string) {
  const expected = Buffer.from(apiKey)
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = req.headers.authorization
    const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null
    if (!m) throw new LivecallError('LIVECALL_ERR_UNAUTHORIZED', 'missing Authorization: Bearer <API_KEY>')
    const given = Buffer.from(m[1])
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new LivecallError('LIVECALL_ERR_UNAUTHORIZED', 'invalid API key')
    }
  }
}
