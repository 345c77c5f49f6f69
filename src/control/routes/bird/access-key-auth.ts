import { timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { LivecallError } from '../../../errors/index.js'

/**
 * Bird's authorization (SPEC §6, docs.bird.com API Authorization): the header
 * `Authorization: AccessKey <API_KEY>`; 401 without it or with a wrong key. Compared in
 * constant time.
 */
export function accessKeyAuth(apiKey: string) {
  const expected = Buffer.from(apiKey)
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = req.headers.authorization
    const m = typeof header === 'string' ? /^AccessKey\s+(\S+)\s*$/i.exec(header) : null
    if (!m) throw new LivecallError('LIVECALL_ERR_UNAUTHORIZED', 'missing Authorization: AccessKey <API_KEY>')
    const given = Buffer.from(m[1])
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new LivecallError('LIVECALL_ERR_UNAUTHORIZED', 'invalid access key')
    }
  }
}
