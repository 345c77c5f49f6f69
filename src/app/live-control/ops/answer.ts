import type { Call } from '../../../call/call.js'
import { conflict } from '../conflict.js'

/**
 * answer (Bandwidth v1 `state: active`): 200 OK to an inbound call whose app left it
 * ringing (RFC 3261 §13.3.1.4); the app goes on with the call answered. 409 when the call
 * is not an inbound call still ringing (already answered, outbound, or ended).
 */
export async function applyAnswer(call: Call): Promise<void> {
  if (call.direction !== 'inbound' || call.answered || call.ended) {
    throw conflict(`answer needs an inbound call that is still ringing; this one is ${call.direction} and ${call.state}`)
  }
  await call.answer()
}
