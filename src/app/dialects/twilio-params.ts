import type { Call } from '../../call/call.js'
import type { CallDescription } from '../../call/call-description.js'
import { CallState } from '../../call/call-state.js'

/** The API version every Twilio-shaped request carries (Twilio's and SignalWire LaML's). */
export const TWILIO_API_VERSION = '2010-04-01'

/**
 * Twilio CallStatus for a livecall state: queued, ringing, in-progress, completed, busy,
 * failed, no-answer, canceled. livecall's early-media is Twilio's ringing; trying is
 * ringing for an inbound call (Twilio requests the voice URL of a ringing call) and
 * queued for an outbound one (the INVITE is sent, nothing answered yet).
 */
export function twilioCallStatus(state: string, direction: 'inbound' | 'outbound' = 'inbound'): string {
  switch (state) {
    case CallState.Trying:
      return direction === 'inbound' ? 'ringing' : 'queued'
    case CallState.EarlyMedia:
      return 'ringing'
    default:
      return state
  }
}

/** Twilio Direction: inbound, outbound-api (created through the REST API), outbound-dial (dialed by an app). */
export function twilioDirection(call: Pick<Call, 'direction' | 'parentCallSid'>): string {
  if (call.direction === 'inbound') return 'inbound'
  return call.parentCallSid ? 'outbound-dial' : 'outbound-api'
}

/**
 * The parameters Twilio sends with every request about a call (voice URL, action URLs,
 * status callbacks): CallSid, AccountSid, From, To, CallStatus, Direction, ApiVersion,
 * CallerName, ParentCallSid (a dialed leg), SipCallId.
 */
export function twilioCallParams(call: Pick<Call, 'direction' | 'parentCallSid'>, d: CallDescription): Record<string, string> {
  const params: Record<string, string> = {
    CallSid: d.call_sid,
    AccountSid: d.account_sid,
    From: d.from,
    To: d.to,
    Caller: d.from,
    Called: d.to,
    CallStatus: twilioCallStatus(d.call_status, d.direction),
    Direction: twilioDirection(call),
    ApiVersion: TWILIO_API_VERSION,
    CallerName: d.caller_name,
    SipCallId: d.call_id,
  }
  if (d.parent_call_sid) params.ParentCallSid = d.parent_call_sid
  return params
}

/**
 * A verb's jambonz actionHook results in Twilio's names (gather → Digits; dial →
 * DialCallStatus, DialCallSid, DialCallDuration, DialSipResponseCode). Returns undefined
 * when Twilio would not request the action at all: a <Gather> that timed out without
 * digits goes on with the next verb (Twilio's actionOnEmptyResult default).
 */
export function twilioActionParams(results: Record<string, unknown>): Record<string, string> | undefined {
  if (results.reason === 'timeout') return undefined
  if (results.reason === 'dtmfDetected') return { Digits: String(results.digits ?? '') }
  if ('dial_call_status' in results) {
    const out: Record<string, string> = { DialCallStatus: dialCallStatus(String(results.dial_call_status)) }
    if (results.dial_call_sid) out.DialCallSid = String(results.dial_call_sid)
    out.DialCallDuration = String(results.duration ?? 0)
    if (results.dial_sip_status !== undefined && results.dial_sip_status !== null) out.DialSipResponseCode = String(results.dial_sip_status)
    return out
  }
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(results)) if (v !== undefined && v !== null) out[k] = typeof v === 'object' ? JSON.stringify(v) : String(v)
  return out
}

/** Twilio DialCallStatus: completed, answered (still bridged when the action ran), busy, no-answer, failed, canceled. */
function dialCallStatus(state: string): string {
  if (state === CallState.InProgress) return 'answered'
  if (['queued', 'trying', 'ringing', 'early-media'].includes(state)) return 'no-answer'
  return state
}

/** RFC 2822 date as Twilio writes it: `Wed, 19 Sep 2018 20:00:00 +0000`. */
export function rfc2822(iso: string | Date | null | undefined): string | null {
  if (iso === null || iso === undefined) return null
  const d = typeof iso === 'string' ? new Date(iso) : iso
  return d.toUTCString().replace(/GMT$/, '+0000')
}
