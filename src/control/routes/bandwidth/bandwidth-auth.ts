import type { FastifyReply, FastifyRequest } from 'fastify'
import { LivecallError } from '../../../errors/index.js'
import { basicCredentials, sameSecret } from '../../plugins/credentials.js'

/**
 * Bandwidth v1 authentication (SPEC §6): HTTP Basic (RFC 7617) `apiToken:apiSecret`, as
 * node-bandwidth sends it. livecall's ACCOUNT_SID is both the userId of the URL and the
 * apiToken (the user name); API_KEY is the apiSecret (the password, compared in constant
 * time). A user name other than the URL's userId is refused, so a request cannot name one
 * account and authenticate as another.
 */
export function bandwidthAuth(apiKey: string) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const credentials = basicCredentials(req.headers.authorization)
    if (!credentials) throw new LivecallError('LIVECALL_ERR_UNAUTHORIZED', 'HTTP Basic apiToken:apiSecret (ACCOUNT_SID:API_KEY) is required')
    const { user: token, password: secret } = credentials
    if (!sameSecret(secret, apiKey)) {
      throw new LivecallError('LIVECALL_ERR_UNAUTHORIZED', 'invalid apiToken or apiSecret')
    }
    const userId = (req.params as { userId?: string } | undefined)?.userId
    if (userId !== undefined && token !== userId) {
      throw new LivecallError('LIVECALL_ERR_UNAUTHORIZED', `the apiToken is not valid for user ${userId}`)
    }
  }
}
