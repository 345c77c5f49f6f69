import type { Call } from '../../call/call.js'
import { isFinal } from '../../call/call-state.js'
import type { StatusShaper } from '../status-events.js'
import type { ResolvedHook } from '../webhook/index.js'
import { rfc2822, twilioCallParams, twilioCallStatus } from './twilio-params.js'
import { twilioSignatureHeaders } from './twilio-signature.js'

/**
 * Twilio-shaped status callbacks (StatusCallback / StatusCallbackMethod): form-encoded
 * and signed as every Twilio request, one per change of Twilio CallStatus (queued,
 * ringing, in-progress, then completed / busy / failed / no-answer / canceled), with
 * CallbackSource, SequenceNumber, Timestamp (RFC 2822) and, once final, CallDuration
 * and Duration. livecall's trying / early-media are Twilio's ringing, so they are
 * reported once.
 */
export function twilioStatusShaper(hook: ResolvedHook, signingKey: string): StatusShaper {
  let last: string | undefined
  let sequence = 0
  return (call: Call, event) => {
    if (event.type !== 'state') return undefined
    const d = event.description
    const status = twilioCallStatus(d.call_status, d.direction)
    if (status === last) return undefined
    last = status
    const payload: Record<string, string> = {
      ...twilioCallParams(call, d),
      CallbackSource: 'call-progress-events',
      SequenceNumber: String(sequence++),
      Timestamp: rfc2822(d.timestamp) ?? '',
    }
    if (isFinal(call.state)) {
      payload.CallDuration = String(d.duration)
      payload.Duration = String(Math.ceil(d.duration / 60))
      if (d.sip_status !== null) payload.SipResponseCode = String(d.sip_status)
    }
    return {
      hook,
      payload,
      shape: { form: true, sign: (url: string, body: string | undefined) => twilioSignatureHeaders(signingKey, url, body) },
    }
  }
}
