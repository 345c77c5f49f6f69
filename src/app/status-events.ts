import type { Call } from '../call/call.js'
import type { CallDescription } from '../call/call-description.js'
import type { RequestShape, ResolvedHook, WebhookClient } from './webhook/index.js'

/** Something in a call's life that status callbacks report. */
export type StatusEvent =
  /** the call changed state (SPEC §3); `description` is the call as it is now */
  | { type: 'state'; description: CallDescription }
  /** a recording of the call was finished */
  | { type: 'recording'; description: CallDescription; recording: { path: string; duration_ms: number } }
  /** the call was transferred: `target` (the new leg) answered and is bridged with it */
  | { type: 'transferred'; description: CallDescription; target: CallDescription }

/** One dialect-shaped callback: where to POST and what. */
export interface ShapedStatus {
  hook: ResolvedHook
  payload: object
  /** form-encoded and/or signed the dialect's way (Twilio's X-Twilio-Signature); JSON when absent */
  shape?: RequestShape
}

/**
 * A dialect's shape for a call's status events (SPEC §6: each dialect has its own event
 * shape, e.g. Bandwidth v1 events at the call's callbackUrl). Returns undefined for an
 * event the dialect does not report.
 */
export type StatusShaper = (call: Call, event: StatusEvent) => ShapedStatus | undefined

const shapers = new WeakMap<Call, StatusShaper>()

/** From now on the call's events are also sent in `shaper`'s shape (one shaper per call; the last one wins). */
export function setStatusShaper(call: Call, shaper: StatusShaper): void {
  shapers.set(call, shaper)
}

/**
 * Report `event`: to the call's status hook in the native shape (state changes and
 * recordings, as SPEC §3 / §5 describe them), and to its dialect shaper's hook, if any.
 * Both go through the call's ordered queue, so one call's callbacks arrive in order.
 */
export function reportStatus(webhooks: WebhookClient, call: Call, event: StatusEvent): void {
  if (call.statusHook) {
    if (event.type === 'state') webhooks.notifyOrdered(call.sid, call.statusHook, event.description)
    else if (event.type === 'recording') webhooks.notifyOrdered(call.sid, call.statusHook, { ...event.description, recording: event.recording })
  }
  const shaped = shapers.get(call)?.(call, event)
  if (shaped) webhooks.notifyOrdered(call.sid, shaped.hook, shaped.payload, shaped.shape)
}
