import type { Call } from '../../../call/call.js'
import { CallState } from '../../../call/call-state.js'
import { conflict } from '../conflict.js'

/** call_status completed: BYE an answered call; its dialed leg ends with it (the dial's close cascade). */
export async function applyHangup(call: Call): Promise<void> {
  if (!call.answered) throw conflict(`call_status completed needs an answered call; this one is ${call.state}`)
  await call.hangup({ reason: 'hung up by the control API' })
}

/** call_status no-answer: CANCEL a ringing outbound call, or reject a ringing inbound one with 480. */
export async function applyNoAnswer(call: Call): Promise<void> {
  if (call.answered || call.ended) throw conflict(`call_status no-answer needs a call that is still ringing; this one is ${call.state}`)
  await call.hangup({ status: 480, finalState: CallState.NoAnswer, reason: 'no-answer set by the control API' })
}

/** DELETE …/Calls/{sid}: end the call whatever its state (BYE, or CANCEL / 480). */
export async function applyDelete(call: Call): Promise<void> {
  if (call.answered) await call.hangup({ reason: 'deleted by the control API' })
  else await call.hangup({ status: 480, finalState: call.direction === 'outbound' ? CallState.Canceled : CallState.NoAnswer, reason: 'deleted by the control API' })
}
