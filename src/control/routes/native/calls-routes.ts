import type { FastifyInstance } from 'fastify'
import type { LiveControl } from '../../../app/live-control/live-control.js'
import { LivecallError } from '../../../errors/index.js'
import { bearerAuth } from '../../plugins/bearer-auth.js'
import { AccountParams, CallDescriptionSchema, CallParams, CreateCallBody, ErrorBody, UpdateCallBody } from './native-schemas.js'
import { hookOf, parseNativeUpdate } from './parse-native-update.js'
import { Type } from '@sinclair/typebox'

interface AccountP { account_sid: string }
interface CallP extends AccountP { call_sid: string }

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 502: ErrorBody }

/**
 * The native dialect (SPEC §5, seed 000): /v1/Accounts/{account_sid}/Calls…, as jambonz
 * serves it, so @jambonz/node-client works unchanged.
 */
export function nativeCallsRoutes(live: LiveControl, apiKey: string) {
  return async (app: FastifyInstance): Promise<void> => {
    app.addHook('onRequest', bearerAuth(apiKey))
    const tags = ['calls']

    app.get<{ Params: AccountP }>('/v1/Accounts/:account_sid/Calls', {
      schema: { tags, summary: 'calls in progress (also with a trailing slash)', params: AccountParams, response: { 200: Type.Array(CallDescriptionSchema), ...errors } },
    }, async (req) => live.list(req.params.account_sid))
    app.get<{ Params: AccountP }>('/v1/Accounts/:account_sid/Calls/', { schema: { hide: true, params: AccountParams } }, async (req) => live.list(req.params.account_sid))

    app.get<{ Params: CallP }>('/v1/Accounts/:account_sid/Calls/:call_sid', {
      schema: { tags, summary: 'one call in progress', params: CallParams, response: { 200: CallDescriptionSchema, ...errors } },
    }, async (req) => live.describe(req.params.account_sid, req.params.call_sid))

    app.post<{ Params: AccountP; Body: Record<string, unknown> }>('/v1/Accounts/:account_sid/Calls', {
      schema: { tags, summary: 'dial out; the call_hook app runs when answered', params: AccountParams, body: CreateCallBody, response: { 201: Type.Object({ sid: Type.String() }), ...errors } },
    }, async (req, reply) => {
      const b = req.body
      if (b.application_sid !== undefined) throw new LivecallError('LIVECALL_ERR_BAD_REQUEST', 'application_sid is not supported: give call_hook')
      const sid = await live.create(req.params.account_sid, {
        from: b.from as string,
        callerName: b.caller_name as string | undefined,
        to: b.to as Record<string, unknown>,
        callHook: hookOf('call_hook', b.call_hook),
        callStatusHook: b.call_status_hook === undefined ? undefined : hookOf('call_status_hook', b.call_status_hook),
        timeout: b.timeout as number | undefined,
        headers: b.headers as Record<string, string> | undefined,
        tag: b.tag as Record<string, unknown> | undefined,
      })
      return reply.code(201).send({ sid })
    })

    const update = {
      schema: { tags, summary: 'live call control: change a call in progress', params: CallParams, body: UpdateCallBody,
        response: { 204: Type.Null(), 200: Type.Object({}, { additionalProperties: true }), ...errors } },
    }
    const handler = async (req: { params: CallP; body: unknown }, reply: { code(n: number): { send(b?: unknown): unknown } }) => {
      const outcome = await live.update(req.params.account_sid, req.params.call_sid, parseNativeUpdate(req.body))
      if (outcome.sip) return reply.code(200).send({ sip_status: outcome.sip.status, sip_reason: outcome.sip.reason })
      if (outcome.recording) return reply.code(200).send({ recording: outcome.recording })
      return reply.code(204).send()
    }
    app.put<{ Params: CallP }>('/v1/Accounts/:account_sid/Calls/:call_sid', update, handler)
    app.post<{ Params: CallP }>('/v1/Accounts/:account_sid/Calls/:call_sid', update, handler)

    app.delete<{ Params: CallP }>('/v1/Accounts/:account_sid/Calls/:call_sid', {
      schema: { tags, summary: 'hang up (BYE, or CANCEL / 480 while ringing)', params: CallParams, response: { 204: Type.Null(), ...errors } },
    }, async (req, reply) => {
      await live.hangup(req.params.account_sid, req.params.call_sid)
      return reply.code(204).send()
    })
  }
}
