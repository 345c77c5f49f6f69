import type { Call } from '../../call/call.js'
import type { AppDeps } from '../app-deps.js'
import type { CallSession } from '../call-session.js'

/** What an applied update can reach. */
export interface LiveContext {
  readonly deps: AppDeps
  /** running applications by call sid (inbound calls, API-created calls, released children) */
  readonly sessions: Map<string, CallSession>
  /** a session for a call that has none yet (a dialed leg given its own app) */
  sessionFor(call: Call): CallSession
}
