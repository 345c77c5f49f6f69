import { timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { LivecallError } from '../../../errors/index.js'

/**
 * Twilio / SignalWire / Restcomm authentication (SPEC §6): HTTP Basic (RFC 7617) with the
 * AccountSid of the URL as user name and API_KEY as password (Twilio's "AccountSid:AuthToken").
 * The key is compared in constant time; a user name other than the URL's AccountSid is
 * refused too, so a request cannot name one account and authenticate as another.
 */
export function basicAuth(apiKey: string) {
  const expected = Buffer.from(apiKey)
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = req.headers.authorization
    const m = typeof header === 'string' ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null
    if (!m) throw new LivecallError('LIVECALL_ERR_UNAUTHORIZED', 'Authenticate: HTTP Basic AccountSid:API_KEY is required')
    const decoded = Buffer.from(m[1], 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    const user = colon < 0 ? decoded : decoded.slice(0, colon)
    const given = Buffer.from(colon < 0 ? '' : decoded.slice(colon + 1))
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new LivecallError('LIVECALL_ERR_UNAUTHORIZED', 'Authenticate: invalid credentials')
    }
    const account = (req.params as { AccountSid?: string } | undefined)?.AccountSid
    if (account !== undefined && user !== account) {
      throw new LivecallError('LIVECALL_ERR_UNAUTHORIZED', `Authenticate: the user name ${JSON.stringify(user)} is not the account ${account} of the URL`)
    }
  }
}
