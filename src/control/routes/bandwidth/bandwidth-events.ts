import type { Call } from '../../../call/call.js'
import type { CallDescription } from '../../../call/call-description.js'
import { CallState } from '../../../call/call-state.js'
import type { StatusEvent, StatusShaper } from '../../../app/status-events.js'
import { resolveHook } from '../../../app/webhook/index.js'
import { bandwidthState, callUri } from './bandwidth-call.js'

/** Where a call's Bandwidth events go, and the `tag` they carry. */
export interface BandwidthCallback {
  url: string
  tag?: string
  /** base URL and userId for callUri */
  base: string
  userId: string
}

const callbacks = new WeakMap<Call, BandwidthCallback>()

export function bandwidthCallbackOf(call: Call): BandwidthCallback | undefined {
  return callbacks.get(call)
}

/** Q.850-style hangup causes Bandwidth v1 reports, by final state */
const CAUSE: Record<string, string> = {
  [CallState.Completed]: 'NORMAL_CLEARING',
  [CallState.Busy]: 'USER_BUSY',
  [CallState.NoAnswer]: 'NO_ANSWER',
  [CallState.Canceled]: 'ORIGINATOR_CANCEL',
  [CallState.Failed]: 'CALL_REJECTED',
}

/**
 * The Bandwidth v1 event shaper for a call (status-events.ts): POSTs JSON events to
 * `callback.url` — `answer` when the call is answered, `hangup` (with `cause`) when it
 * ends, `timeout` first for an outbound call nobody answered, `recording` when a
 * recording is finished, `transferComplete` when a transfer target is connected —
 * each with eventType, callId, callUri, from, to, callState, time (and tag).
 */
export function bandwidthEvents(callback: BandwidthCallback): StatusShaper {
  const hook = resolveHook(callback.url)
  return (call, event) => {
    callbacks.set(call, callback)
    const payload = payloadOf(callback, event)
    return payload ? { hook, payload } : undefined
  }
}

/** Remember the callback at once (GET shows callbackUrl before the first event). */
export function rememberCallback(call: Call, callback: BandwidthCallback): void {
  callbacks.set(call, callback)
}

function payloadOf(cb: BandwidthCallback, event: StatusEvent): Record<string, unknown> | undefined {
  const d = event.description
  switch (event.type) {
    case 'state':
      if (d.call_status === CallState.InProgress) return common(cb, 'answer', d)
      if (d.call_status === CallState.NoAnswer && d.direction === 'outbound') return { ...common(cb, 'timeout', d), callState: 'completed' }
      if (d.end_time) return { ...common(cb, 'hangup', d), callState: 'completed', cause: CAUSE[d.call_status] ?? 'NORMAL_CLEARING' }
      return undefined
    case 'recording': {
      const id = event.recording.path.replace(/^.*\//, '').replace(/\.[^.]+$/, '')
      return {
        ...common(cb, 'recording', d),
        recordingId: id,
        recordingPath: event.recording.path,
        duration: Math.round(event.recording.duration_ms / 1000),
        state: 'complete',
        status: 'complete',
      }
    }
    case 'transferred':
      return { ...common(cb, 'transferComplete', d), transferredCallId: event.target.call_sid }
  }
}

function common(cb: BandwidthCallback, eventType: string, d: CallDescription): Record<string, unknown> {
  return {
    eventType,
    callId: d.call_sid,
    callUri: callUri(cb.base, cb.userId, d.call_sid),
    from: d.from,
    to: d.to,
    callState: bandwidthState(d.call_status),
    time: new Date().toISOString(),
    ...(cb.tag !== undefined ? { tag: cb.tag } : {}),
  }
}
