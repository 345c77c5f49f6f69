import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Call } from '../../../call/call.js'
import { setAppDialect, type AppDialect } from '../../../app/dialects/app-dialect.js'
import { twimlDialect, xmlContextOf } from '../../../app/dialects/twiml-dialect.js'
import { twilioStatusShaper } from '../../../app/dialects/twilio-status.js'
import type { LiveControl } from '../../../app/live-control/live-control.js'
import { setStatusShaper } from '../../../app/status-events.js'
import { translateXmlDocument } from '../../../app/xml/translate-xml.js'
import type { VerbStep } from '../../../app/verbs/verb.js'
import { LivecallError } from '../../../errors/index.js'
import { basicAuth } from './basic-auth.js'
import { callResource, type TwilioFlavor } from './call-resource.js'
import { parseTwilioCreate } from './parse-twilio-create.js'
import { parseTwilioUpdate, type TwilioUpdate } from './parse-twilio-update.js'
import { installTwilioErrors, twilioBadRequest } from './twilio-errors.js'

/** The three route families that share this code (SPEC §6). */
export const TWILIO: TwilioFlavor = { prefix: '/2010-04-01', apiVersion: '2010-04-01', restcomm: false }
export const SIGNALWIRE: TwilioFlavor = { prefix: '/api/laml/2010-04-01', apiVersion: '2010-04-01', restcomm: false }
export const RESTCOMM: TwilioFlavor = { prefix: '/restcomm/2012-04-24', apiVersion: '2012-04-24', restcomm: true }

interface AccountP { AccountSid: string }
interface CallP extends AccountP { Sid: string }
type Body = Record<string, unknown>

/** `x-www-form-urlencoded` → an object; a repeated name (StatusCallbackEvent) becomes an array. */
function parseForm(text: string): Body {
  const out: Body = {}
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k]
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
  }
  return out
}

function sidOf(raw: string): string {
  return raw.endsWith('.json') ? raw.slice(0, -'.json'.length) : raw
}

/**
 * Twilio's Calls resource (seed 003), served under Twilio's, SignalWire LaML's and
 * Restcomm's prefixes (seed 001): create, list, fetch and update, behind HTTP Basic
 * AccountSid:API_KEY, form-encoded, answered with Twilio's call resource and error shape.
 * Every update maps onto the native CallUpdate (SPEC §6); the call's application and
 * status callbacks switch to the twiml dialect (XML documents, Twilio's signed form requests).
 */
export function twilioCallsRoutes(live: LiveControl, apiKey: string, flavor: TwilioFlavor) {
  const dialect: AppDialect = twimlDialect(apiKey)
  return async (app: FastifyInstance): Promise<void> => {
    installTwilioErrors(app)
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, parseForm(body as string))
    })
    app.addHook('onRequest', basicAuth(apiKey))
    const base = `${flavor.prefix}/Accounts/:AccountSid`

    const list = async (req: FastifyRequest<{ Params: AccountP }>) => {
      const account = req.params.AccountSid
      const calls = await Promise.all((await live.list(account)).map((d) => live.find(account, d.call_sid).catch(() => undefined)))
      const resources = calls.filter((c): c is Call => c !== undefined).map((c) => callResource(c, flavor))
      const uri = `${flavor.prefix}/Accounts/${account}/Calls.json`
      return {
        calls: resources,
        page: 0,
        page_size: Math.max(resources.length, 50),
        start: 0,
        end: Math.max(resources.length - 1, 0),
        uri,
        first_page_uri: `${uri}?Page=0&PageSize=50`,
        next_page_uri: null,
        previous_page_uri: null,
      }
    }
    const create = async (req: FastifyRequest<{ Params: AccountP; Body: Body }>, reply: FastifyReply) => {
      const account = req.params.AccountSid
      const c = parseTwilioCreate(req.body ?? {})
      const sid = await live.create(account, {
        from: c.from,
        callerName: c.callerName,
        to: c.to,
        callHook: c.url,
        fallbackHook: c.fallback,
        timeout: c.timeout,
        dialect,
        events: c.statusCallback ? twilioStatusShaper(c.statusCallback, apiKey) : undefined,
      })
      const call = await live.find(account, sid)
      return reply.code(201).send(callResource(call, flavor))
    }
    const fetch = async (req: FastifyRequest<{ Params: CallP }>) => callResource(await live.find(req.params.AccountSid, sidOf(req.params.Sid)), flavor)
    const update = async (req: FastifyRequest<{ Params: CallP; Body: Body }>) => {
      const account = req.params.AccountSid
      const sid = sidOf(req.params.Sid)
      const u = parseTwilioUpdate(req.body ?? {}, flavor.restcomm)
      const call = await live.find(account, sid)
      await apply(call, account, sid, u)
      return callResource(call, flavor)
    }

    async function apply(call: Call, account: string, sid: string, { action, statusCallback }: TwilioUpdate): Promise<void> {
      if (statusCallback) {
        if (call.ended) throw new LivecallError('LIVECALL_ERR_CALL_ENDED', `call ${sid} has ended`)
        setStatusShaper(call, twilioStatusShaper(statusCallback, apiKey))
      }
      switch (action.kind) {
        case 'status':
          // completed ends the call whatever its state (BYE, or CANCEL while ringing: seed 001's
          // "a call ringing within a Dial is in-progress"); canceled only a call not yet answered
          if (action.status === 'completed') await live.hangup(account, sid)
          else await live.update(account, sid, { op: { kind: 'cancel' } })
          return
        case 'url':
          await live.update(account, sid, {
            op: { kind: 'redirect', callHook: action.hook, fallbackHook: action.fallback, dialect, childCallHook: action.moveBothLegs ? action.hook : undefined },
          })
          return
        case 'twiml': {
          let steps: VerbStep[]
          try {
            steps = translateXmlDocument(action.xml, xmlContextOf(call), call.logger)
          } catch (err) {
            throw twilioBadRequest(12100, `Twiml: ${(err as Error).message}`)
          }
          await live.update(account, sid, { op: { kind: 'replace', steps } })
          setAppDialect(call, dialect)
          return
        }
        case 'mute':
          await live.update(account, sid, { op: { kind: 'mute', mute: action.mute } })
          return
        case 'none':
          return
      }
    }

    for (const path of [`${base}/Calls`, `${base}/Calls.json`]) {
      app.get(path, list)
      app.post(path, create)
    }
    const one = flavor.restcomm ? [`${base}/Calls/:Sid`, `${base}/Calls.json/:Sid`] : [`${base}/Calls/:Sid`]
    for (const path of one) {
      app.get(path, fetch)
      app.post(path, update)
    }
  }
}
