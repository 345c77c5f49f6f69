import type { FastifyError, FastifyInstance } from 'fastify'
import { LivecallError } from '../../../errors/index.js'

/** Twilio's REST error body (also SignalWire LaML's and Restcomm's): `{code, message, more_info, status}`. */
export interface TwilioErrorBody {
  code: number
  message: string
  more_info: string
  status: number
}

/**
 * Twilio error codes for livecall's errors: 20003 authentication, 20404 not found,
 * 21220 invalid call state, 21205 an invalid Url, 21210/21211 an invalid From/To,
 * 20001 another invalid parameter, 11200 the new application's URL failed,
 * 12100 its document could not be parsed.
 */
function twilioCode(err: LivecallError): number {
  switch (err.code) {
    case 'LIVECALL_ERR_UNAUTHORIZED':
    case 'LIVECALL_ERR_FORBIDDEN':
      return 20003
    case 'LIVECALL_ERR_CALL_NOT_FOUND':
    case 'LIVECALL_ERR_NOT_FOUND':
      return 20404
    case 'LIVECALL_ERR_CALL_STATE':
    case 'LIVECALL_ERR_CALL_ENDED':
    case 'LIVECALL_ERR_CONFLICT':
    case 'LIVECALL_ERR_CALL_BUSY':
      return 21220
    case 'LIVECALL_ERR_WEBHOOK_URL':
      return 21205
    case 'LIVECALL_ERR_APP_INVALID':
      return 12100
    case 'LIVECALL_ERR_WEBHOOK_TIMEOUT':
    case 'LIVECALL_ERR_WEBHOOK_HTTP':
    case 'LIVECALL_ERR_WEBHOOK_NETWORK':
    case 'LIVECALL_ERR_WEBHOOK_BODY':
      return 11200
    default:
      return 20001
  }
}

/** A 400 with a specific Twilio code (e.g. 21201 no To, 21205 no Url). */
export function twilioBadRequest(code: number, message: string): LivecallError {
  return Object.assign(new LivecallError('LIVECALL_ERR_BAD_REQUEST', message), { twilioCode: code })
}

export function twilioError(status: number, code: number, message: string): TwilioErrorBody {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }
}

/**
 * The Twilio-family error answer for every route of this plugin. A 403 (another account's
 * key) is Twilio's 401 20003; every other client error keeps its status (never a 5xx for
 * bad input); a new application URL that fails is a 502 11200 and the call is unchanged.
 */
export function installTwilioErrors(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | LivecallError | Error, req, reply) => {
    if (err instanceof LivecallError) {
      const status = err.status === 403 ? 401 : err.status
      if (status >= 500) req.log.warn({ err }, 'request failed')
      if (status === 401) void reply.header('www-authenticate', 'Basic realm="livecall"')
      const code = (err as { twilioCode?: number }).twilioCode ?? twilioCode(err)
      return reply.code(status).send(twilioError(status, code, err.message))
    }
    const fe = err as FastifyError
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.code(fe.statusCode).send(twilioError(fe.statusCode, 20001, fe.message))
    }
    req.log.error({ err }, 'unexpected error')
    return reply.code(500).send(twilioError(500, 20500, 'internal error'))
  })
}
