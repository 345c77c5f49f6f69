import type { Call } from '../../../call/call.js'
import { CallFeatures } from '../../../call/call-features.js'
import { CallState } from '../../../call/call-state.js'
import { bandwidthCallbackOf } from './bandwidth-events.js'

/** Bandwidth v1 call states: started (not answered), active, completed, rejected (ended unanswered). */
export function bandwidthState(state: string): string {
  switch (state) {
    case CallState.InProgress: return 'active'
    case CallState.Completed: return 'completed'
    case CallState.Failed:
    case CallState.Busy:
    case CallState.NoAnswer:
    case CallState.Canceled: return 'rejected'
    default: return 'started'
  }
}

/** `…/v1/users/{userId}/calls/{callId}` */
export function callUri(base: string, userId: string, callId: string): string {
  return `${base}/v1/users/${encodeURIComponent(userId)}/calls/${encodeURIComponent(callId)}`
}

/**
 * GET …/calls/{callId}: the call in Bandwidth v1's shape (id, direction in/out, from, to,
 * state, startTime, activeTime, endTime, chargeableDuration — whole minutes in seconds —,
 * callbackUrl, tag, recordingEnabled). No events/recordings links: livecall does not serve
 * those sub-resources.
 */
export function bandwidthCallOf(call: Call): Record<string, unknown> {
  const d = call.describe()
  const callback = bandwidthCallbackOf(call)
  return {
    id: d.call_sid,
    direction: d.direction === 'inbound' ? 'in' : 'out',
    from: d.from,
    to: d.to,
    state: bandwidthState(d.call_status),
    startTime: d.start_time,
    ...(d.answer_time ? { activeTime: d.answer_time } : {}),
    ...(d.end_time ? { endTime: d.end_time } : {}),
    chargeableDuration: d.answer_time ? Math.max(60, Math.ceil(d.duration / 60) * 60) : 0,
    ...(callback ? { callbackUrl: callback.url } : {}),
    ...(callback?.tag !== undefined ? { tag: callback.tag } : {}),
    recordingEnabled: CallFeatures.of(call).apiRecording !== undefined,
    transcriptionEnabled: false,
  }
}
