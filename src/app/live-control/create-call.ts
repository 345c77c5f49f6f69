import { createOutboundCall } from '../../call/outbound-call.js'
import { LivecallError } from '../../errors/index.js'
import { setAppDialect, type AppDialect } from '../dialects/app-dialect.js'
import { parseDialTarget, requestUriOf, targetUser } from '../verbs/dial/dial-target.js'
import { setStatusShaper, type StatusShaper } from '../status-events.js'
import type { VerbStep } from '../verbs/verb.js'
import { resolveHook, type Hook } from '../webhook/index.js'
import type { LiveContext } from './live-context.js'

/** POST …/Calls (SPEC §5; jambonz's create-call body). */
export interface CreateCallRequest {
  from: string
  callerName?: string
  /** a dial target: {type: 'sip', sipUri} or {type: 'phone', number} */
  to: Record<string, unknown>
  /** the app fetched when the call is answered… */
  callHook?: Hook
  /** …or this inline one (a dialect whose calls have no document, e.g. Bandwidth v1) */
  app?: VerbStep[]
  callStatusHook?: Hook
  /** ring timeout, seconds (default 60) */
  timeout?: number
  headers?: Record<string, string>
  tag?: Record<string, unknown>
  /** the call's events also in a dialect's shape (Bandwidth: its callbackUrl) */
  events?: StatusShaper
  /** the app's request/document shape (twiml: an XML app, Twilio's signed form parameters) */
  dialect?: AppDialect
  /** requested when callHook fails or answers an invalid document (TwiML FallbackUrl) */
  fallbackHook?: Hook
}

/**
 * Dial out; when the far end answers, fetch `callHook` (the call description POSTed to
 * it) and run the app. Every transition goes to `callStatusHook`. Resolves with the sid
 * once the call exists; a target livecall cannot dial is a 400 before anything happens.
 */
export async function placeApiCall(ctx: LiveContext, req: CreateCallRequest): Promise<string> {
  const { deps } = ctx
  let uri: string
  let target
  try {
    target = parseDialTarget(req.to, 0)
    uri = requestUriOf(target, deps.settings.sipTrunk)
  } catch (err) {
    throw new LivecallError('LIVECALL_ERR_BAD_REQUEST', `to: ${(err as Error).message.replace(/^target\[0\]: /, '')}`)
  }
  const app = req.app
  if (!app && !req.callHook) throw new LivecallError('LIVECALL_ERR_BAD_REQUEST', 'call_hook is required')
  const callHook = req.callHook ? resolveHook(req.callHook) : undefined
  const statusHook = req.callStatusHook ? resolveHook(req.callStatusHook) : undefined
  const { call, answered } = createOutboundCall(deps, {
    accountSid: deps.settings.accountSid,
    uri,
    from: req.from,
    callerName: req.callerName,
    to: targetUser(target),
    headers: { ...target.headers, ...req.headers },
    timeoutMs: (req.timeout ?? 60) * 1000,
    statusHook,
    logger: deps.logger,
    observe: (c) => {
      if (req.events) setStatusShaper(c, req.events)
      if (req.dialect) setAppDialect(c, req.dialect)
      deps.track(c)
    },
  })
  if (req.tag) call.customerData = { ...req.tag }
  const session = ctx.sessionFor(call)
  const fallback = req.fallbackHook ? resolveHook(req.fallbackHook) : undefined
  const start = () => (app ? session.run(app) : callHook ? session.start(callHook, { fallback }) : undefined)
  void answered.then((ok) => (ok ? start() : undefined)).catch((err: unknown) => call.logger.error({ err }, 'API call failed'))
  return call.sid
}
