/**
 * SPEC §3 call states (`call_status`).
 *
 *   queued ─► trying ─► ringing ─► early-media ─► in-progress ─► completed
 *     │          │         │            │
 *     └──────────┴─────────┴────────────┴──► failed | busy | no-answer | canceled
 *
 * Any non-final state may jump forward (an INVITE answered without a 180 goes
 * trying → in-progress); a final state is final.
 */
export enum CallState {
  Queued = 'queued',
  Trying = 'trying',
  Ringing = 'ringing',
  EarlyMedia = 'early-media',
  InProgress = 'in-progress',
  Completed = 'completed',
  Failed = 'failed',
  Busy = 'busy',
  NoAnswer = 'no-answer',
  Canceled = 'canceled',
}

const ORDER: readonly CallState[] = [CallState.Queued, CallState.Trying, CallState.Ringing, CallState.EarlyMedia, CallState.InProgress]
const UNANSWERED_ENDS = [CallState.Failed, CallState.Busy, CallState.NoAnswer, CallState.Canceled]

export function isFinal(state: CallState): boolean {
  return !ORDER.includes(state)
}

export function isAnswered(state: CallState): boolean {
  return state === CallState.InProgress
}

/** The one rule every transition obeys. */
export function canTransition(from: CallState, to: CallState): boolean {
  if (isFinal(from)) return false
  if (to === CallState.Completed) return from === CallState.InProgress
  if (UNANSWERED_ENDS.includes(to)) return from !== CallState.InProgress || to === CallState.Failed
  return ORDER.indexOf(to) > ORDER.indexOf(from)
}

/** The final state a SIP failure status means (RFC 3261 §21; jambonz's mapping). */
export function finalStateForSipStatus(status: number): CallState {
  if (status === 486 || status === 600) return CallState.Busy
  if (status === 408 || status === 480) return CallState.NoAnswer
  if (status === 487) return CallState.Canceled
  return CallState.Failed
}
