import type { FastifyReply, FastifyRequest } from 'fastify'
import { LivecallError } from '../../errors/index.js'
import { authorizationToken, sameSecret } from './credentials.js'

/**
 * SPEC §5: every native route needs `Authorization: Bearer API_KEY` (401 without it or
 * with a wrong key). Compared in constant time.
 */
export function bearerAuth(apiKey: string) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const token = authorizationToken(req.headers.authorization, 'Bearer')
    if (token === undefined) throw new LivecallError('LIVECALL_ERR_UNAUTHORIZED', 'missing Authorization: Bearer <API_KEY>')
    if (!sameSecret(token, apiKey)) throw new LivecallError('LIVECALL_ERR_UNAUTHORIZED', 'invalid API key')
  }
}
