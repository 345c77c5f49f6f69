import { timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { LivecallError } from '../../../errors/index.js'

/**
 * Bandwidth v1 authentication (SPEC §6): HTTP Basic (RFC 7617) `apiToken:apiSecret`, as
 * node-bandwidth sends it. livecall's ACCOUNT_SID is both the userId of the URL and the
 * apiToken (the user name); API_KEY is the apiSecret (the password, compared in constant
 * time). A user name other than the URL's userId is refused, so a request cannot name one
 * account and authenticate as another.
 */
export function bandwidthAuth(apiKey: string) {
  const expected = Buffer.from(apiKey)
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = req.headers.authorization
    const m = typeof header === 'string' ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null
    if (!m) throw new LivecallError('LIVECALL_ERR_UNAUTHORIZED', 'HTTP Basic apiToken:apiSecret (ACCOUNT_SID:API_KEY) is required')
    const decoded = Buffer.from(m[1], 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    const token = colon < 0 ? decoded : decoded.slice(0, colon)
    const secret = Buffer.from(colon < 0 ? '' : decoded.slice(colon + 1))
    if (secret.length !== expected.length || !timingSafeEqual(secret, expected)) {
      throw new LivecallError('LIVECALL_ERR_UNAUTHORIZED', 'invalid apiToken or apiSecret')
    }
    const userId = (req.params as { userId?: string } | undefined)?.userId
    if (userId !== undefined && token !== userId) {
      throw new LivecallError('LIVECALL_ERR_UNAUTHORIZED', `the apiToken is not valid for user ${userId}`)
    }
  }
}
