import type { Call } from '../call/call.js'
import type { CallEventSink } from './events/call-events.js'
import type { CallRegistry } from '../call/call-registry.js'
import { isFinal } from '../call/call-state.js'
import { reportStatus } from './status-events.js'
import type { WebhookClient } from './webhook/index.js'

export interface CallTrackerDeps {
  registry: CallRegistry
  webhooks: WebhookClient
  /** the call event stream's bus: every transition, as the status hook describes it */
  events?: CallEventSink
  /** a call reached a final state (metrics) */
  onEnded?: (call: Call) => void
}

/**
 * Every call's life, observed once: it is in the registry while it is not final, and
 * each transition is POSTed to its status hook (SPEC §3), in order per call, and to its
 * dialect's event shaper when a dialect set one (status-events.ts), and to the call
 * event stream (events/call-events.ts).
 */
export function trackCall(deps: CallTrackerDeps, call: Call): void {
  void deps.registry.add(call)
  call.onState((c, description) => {
    reportStatus(deps.webhooks, c, { type: 'state', description })
    deps.events?.publish(c.accountSid, { type: 'state', call_sid: c.sid, call: description })
    if (isFinal(c.state)) {
      void deps.registry.remove(c.sid)
      deps.onEnded?.(c)
    }
  })
}
