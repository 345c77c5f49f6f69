import type { Logger } from 'pino'
import type { MediaEngine } from '../media/types.js'
import type { InboundInvite } from '../sip/inbound-invite.js'
import { Call } from './call.js'
import type { HookRef } from './call-description.js'
import { CallState } from './call-state.js'

export interface InboundCallOptions {
  accountSid: string
  statusHook?: HookRef
  logger: Logger
  /** sees the call before its first transition (registry, status hook) */
  observe(call: Call): void
}

/**
 * An inbound INVITE becomes a Call (SPEC §3): state `trying`, its media endpoint answering
 * the caller's offer (an offer we cannot take gets 488 and the call fails), the caller's
 * CANCEL ending it as `canceled`. Returns undefined when the offer was refused.
 */
export async function createInboundCall(invite: InboundInvite, media: MediaEngine, opts: InboundCallOptions): Promise<Call | undefined> {
  const info = invite.info
  const call = new Call({
    accountSid: opts.accountSid,
    direction: 'inbound',
    from: info.from.user || info.from.uri,
    to: info.to.user || info.to.uri,
    callerName: info.from.displayName,
    callId: info.callId,
    originatingSipIp: info.sourceAddress,
    originatingSipPort: info.sourcePort,
    localSipAddress: info.localSipAddress,
    sipHeaders: info.headers,
    statusHook: opts.statusHook,
    logger: opts.logger,
  })
  opts.observe(call)
  call.setPending({
    abandon: (status, headers, reasonPhrase) => invite.reject(status, headers, reasonPhrase),
    answer: () => invite.answer(call.requireEndpoint().localSdp),
    ring: (early) => invite.ring(early ? call.endpoint?.localSdp : undefined),
  })
  invite.onCancel(() => call.transition(CallState.Canceled, { status: 487, reason: 'Request Terminated', endReason: 'caller canceled' }))
  try {
    call.attachEndpoint(await media.createEndpoint({ remoteSdp: info.offerSdp }))
  } catch (err) {
    const status = (err as { code?: string }).code === 'LIVECALL_ERR_MEDIA_NO_PORTS' ? 503 : 488
    invite.reject(status)
    call.logger.info({ err: (err as Error).message, status }, 'inbound offer refused')
    call.transition(CallState.Failed, { status, endReason: (err as Error).message })
    return undefined
  }
  if (call.ended) return undefined // canceled while the endpoint was being made
  call.transition(CallState.Trying)
  return call
}
