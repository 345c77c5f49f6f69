import type Srf from 'drachtio-srf'
import type { Logger } from 'pino'
import type { MediaEngine } from '../media/types.js'
import { OutboundInviteFailure, placeOutboundInvite } from '../sip/outbound-invite.js'
import { Call } from './call.js'
import type { HookRef } from './call-description.js'
import { CallState, finalStateForSipStatus } from './call-state.js'

export interface OutboundCallOptions {
  accountSid: string
  /** Request-URI of the INVITE */
  uri: string
  from: string
  callerName?: string
  to: string
  headers?: Record<string, string>
  parent?: Call
  /** ring timeout; the call ends as no-answer (jambonz's dial `timeout`, default 60 s) */
  timeoutMs?: number
  statusHook?: HookRef
  logger: Logger
  /** sees the call before its first transition (registry, status hook) */
  observe(call: Call): void
}

export interface SipDeps {
  srf: Srf
  media: MediaEngine
}

/**
 * A call livecall places (a `dial` target, or `POST …/Calls`). `call` exists at once in
 * `queued`; `answered` resolves when the far end answered (the call is in-progress) and
 * resolves false when it ended otherwise (busy, no-answer, failed, canceled: see call.state).
 */
export function createOutboundCall(deps: SipDeps, opts: OutboundCallOptions): { call: Call; answered: Promise<boolean> } {
  const call = new Call({
    accountSid: opts.accountSid,
    direction: 'outbound',
    from: opts.from,
    to: opts.to,
    callerName: opts.callerName,
    parentCallSid: opts.parent?.sid,
    statusHook: opts.statusHook,
    logger: opts.logger,
  })
  opts.observe(call)
  opts.parent?.children.add(call)
  return { call, answered: dial(deps, call, opts) }
}

async function dial(deps: SipDeps, call: Call, opts: OutboundCallOptions): Promise<boolean> {
  const cancel = new AbortController()
  let timedOut = false
  call.setPending({ abandon: () => cancel.abort() })
  const timer = setTimeout(() => {
    timedOut = true
    cancel.abort()
  }, opts.timeoutMs ?? 60_000)
  try {
    const endpoint = await deps.media.createEndpoint()
    call.attachEndpoint(endpoint)
    if (call.ended) return false
    const dialog = await placeOutboundInvite(deps.srf, call.logger, {
      uri: opts.uri,
      localSdp: endpoint.localSdp,
      callingNumber: opts.from,
      callingName: opts.callerName,
      headers: opts.headers,
      signal: cancel.signal,
      onSent: (callId) => {
        call.callId = callId
        call.transition(CallState.Trying)
      },
      onProvisional: (status, sdp) => {
        if (sdp) {
          endpoint.setRemoteSdp(sdp).then(
            () => call.transition(CallState.EarlyMedia, { status }),
            (err: Error) => call.logger.info({ err: err.message }, 'early media SDP refused'),
          )
        } else {
          call.transition(CallState.Ringing, { status })
        }
      },
    })
    try {
      await endpoint.setRemoteSdp(dialog.remoteSdp)
    } catch (err) {
      call.logger.warn({ err: (err as Error).message }, 'answer SDP refused; hanging up')
      await dialog.hangup()
      call.transition(CallState.Failed, { status: 488, endReason: `answer SDP refused: ${(err as Error).message}` })
      return false
    }
    if (call.ended) {
      await dialog.hangup()
      return false
    }
    call.setPending(undefined)
    call.attachDialog(dialog)
    call.transition(CallState.InProgress, { status: 200, reason: 'OK' })
    return true
  } catch (err) {
    if (err instanceof OutboundInviteFailure) {
      const state = timedOut ? CallState.NoAnswer : finalStateForSipStatus(err.status)
      call.transition(state, { status: err.status, reason: err.reason, endReason: timedOut ? 'ring timeout' : undefined })
    } else {
      call.logger.warn({ err: (err as Error).message }, 'outbound call failed')
      call.transition(CallState.Failed, { status: 503, endReason: (err as Error).message })
    }
    return false
  } finally {
    clearTimeout(timer)
    if (call.ended) opts.parent?.children.delete(call)
  }
}
