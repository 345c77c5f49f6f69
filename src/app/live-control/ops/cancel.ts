import type { Call } from '../../../call/call.js'
import { CallState } from '../../../call/call-state.js'
import { conflict } from '../conflict.js'

/**
 * Twilio / SignalWire / Restcomm `Status=canceled`: "hang up calls that are queued or
 * ringing but not affect calls already in progress" (seed 003/001). A ringing outbound
 * call gets a CANCEL (RFC 3261 §9), a ringing inbound one a 487 Request Terminated; both
 * end as canceled. An answered call is a 409 and stays as it is.
 */
export async function applyCancel(call: Call): Promise<void> {
  if (call.answered || call.ended) throw conflict(`Status canceled needs a call that is queued or ringing; this one is ${call.state}`)
  await call.hangup({ status: 487, finalState: CallState.Canceled, reason: 'canceled by the control API' })
}
