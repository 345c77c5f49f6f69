import type { Call } from '../../../call/call.js'
import { conflict } from '../conflict.js'

/**
 * reject (Bandwidth v1 `state: rejected`): a final failure response to an inbound call
 * still ringing — `status` 603 Decline (RFC 3261 §21.6.2: the callee does not wish to
 * take the call) or 486 Busy Here; the call's final state follows the status. 409 once
 * the call is answered, and for an outbound call (a CANCEL is `noAnswer`).
 */
export async function applyReject(call: Call, status: number): Promise<void> {
  if (call.direction !== 'inbound' || call.answered || call.ended) {
    throw conflict(`reject needs an inbound call that is still ringing; this one is ${call.direction} and ${call.state}`)
  }
  await call.hangup({ status, reason: 'rejected by the control API' })
}
