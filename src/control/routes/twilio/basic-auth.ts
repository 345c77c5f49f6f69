import type { FastifyReply, FastifyRequest } from 'fastify'
import { LivecallError } from '../../../errors/index.js'
import { basicCredentials, sameSecret } from '../../plugins/credentials.js'

/**
 * Twilio / SignalWire / Restcomm authentication (SPEC §6): HTTP Basic (RFC 7617) with the
 * AccountSid of the URL as user name and API_KEY as password (Twilio's "AccountSid:AuthToken").
 * The key is compared in constant time; a user name other than the URL's AccountSid is
 * refused too, so a request cannot name one account and authenticate as another.
 */
export function basicAuth(apiKey: string) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const credentials = basicCredentials(req.headers.authorization)
    if (!credentials) throw new LivecallError('LIVECALL_ERR_UNAUTHORIZED', 'Authenticate: HTTP Basic AccountSid:API_KEY is required')
    const { user, password } = credentials
    if (!sameSecret(password, apiKey)) {
      throw new LivecallError('LIVECALL_ERR_UNAUTHORIZED', 'Authenticate: invalid credentials')
    }
    const account = (req.params as { AccountSid?: string } | undefined)?.AccountSid
    if (account !== undefined && user !== account) {
      throw new LivecallError('LIVECALL_ERR_UNAUTHORIZED', `Authenticate: the user name ${JSON.stringify(user)} is not the account ${account} of the URL`)
    }
  }
}
