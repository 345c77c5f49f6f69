import type { FastifyReply, FastifyRequest } from 'fastify'
import { LivecallError } from '../../../errors/index.js'
import { authorizationToken, sameSecret } from '../../plugins/credentials.js'

/**
 * Bird's authorization (SPEC §6, docs.bird.com API Authorization): the header
 * `Authorization: AccessKey <API_KEY>`; 401 without it or with a wrong key. Compared in
 * constant time.
 */
export function accessKeyAuth(apiKey: string) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const token = authorizationToken(req.headers.authorization, 'AccessKey')
    if (token === undefined) throw new LivecallError('LIVECALL_ERR_UNAUTHORIZED', 'missing Authorization: AccessKey <API_KEY>')
    if (!sameSecret(token, apiKey)) throw new LivecallError('LIVECALL_ERR_UNAUTHORIZED', 'invalid access key')
  }
}
