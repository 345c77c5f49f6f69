import { createInboundCall } from '../call/inbound-call.js'
import type { Call } from '../call/call.js'
import { InboundInvite } from '../sip/inbound-invite.js'
import type { AppDeps } from './app-deps.js'
import { demoApplication } from './built-in-demo.js'
import { CallSession } from './call-session.js'
import { setAppDialect } from './dialects/app-dialect.js'
import { twimlDialect } from './dialects/twiml-dialect.js'
import { twilioStatusShaper } from './dialects/twilio-status.js'
import { setStatusShaper } from './status-events.js'
import type { ResolvedHook } from './webhook/index.js'

export interface InboundOptions {
  /** CALL_HOOK; undefined runs the built-in demo */
  callHook?: ResolvedHook
  /** CALL_STATUS_HOOK */
  statusHook?: ResolvedHook
  /**
   * CALL_HOOK_FORMAT: `jambonz` (default) POSTs the call description as JSON and reads
   * JSON verbs; `twiml` requests CALL_HOOK (and CALL_STATUS_HOOK) with Twilio's signed
   * form parameters and reads a TwiML / LaML / RCML document (SPEC §6).
   */
  format?: 'jambonz' | 'twiml'
}

export interface InboundCalls {
  /** new INVITEs get 503 from now on (draining) */
  stopAccepting(): void
  /** hang up every call in progress */
  endAll(): Promise<void>
}

/**
 * Every inbound INVITE becomes a Call whose application is fetched from CALL_HOOK
 * (the SPEC §3 description POSTed to it) and run; a failing or invalid application ends
 * the call with its reason (SPEC §4). Sessions are kept so live control can reach them.
 */
export function acceptInboundCalls(deps: AppDeps, opts: InboundOptions, sessions: Map<string, CallSession>): InboundCalls {
  let accepting = true
  deps.srf.invite((req, res) => {
    if (!accepting) return res.send(503)
    const invite = new InboundInvite(deps.srf, req, res, deps.logger)
    void handle(invite).catch((err: unknown) => deps.logger.error({ err, callId: invite.info.callId }, 'inbound call failed'))
  })

  async function handle(invite: InboundInvite): Promise<void> {
    const twiml = opts.format === 'twiml'
    const key = deps.settings.apiKey ?? ''
    const call = await createInboundCall(invite, deps.media, {
      accountSid: deps.settings.accountSid,
      statusHook: twiml ? undefined : opts.statusHook,
      logger: deps.logger,
      observe: (c) => {
        if (twiml) {
          setAppDialect(c, twimlDialect(key))
          if (opts.statusHook) setStatusShaper(c, twilioStatusShaper(opts.statusHook, key))
        }
        deps.track(c)
      },
    })
    if (!call) return
    const session = new CallSession(deps, call)
    sessions.set(call.sid, session)
    call.onState((c) => {
      if (c.ended) sessions.delete(c.sid)
    })
    if (opts.callHook) await session.start(opts.callHook)
    else await session.run(demoApplication(deps.settings.demoGreeting))
  }

  return {
    stopAccepting: () => {
      accepting = false
    },
    async endAll() {
      const calls: Call[] = deps.registry.all()
      await Promise.all(calls.map((c) => c.hangup({ reason: 'shutdown', status: 503 }).catch(() => undefined)))
    },
  }
}
