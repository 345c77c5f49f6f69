import type { Call } from '../../../call/call.js'
import type { VerbStep } from '../../verbs/verb.js'
import { conflict } from '../conflict.js'
import type { LiveContext } from '../live-context.js'
import { unhold } from './hold.js'

/**
 * An inline document (Bird `callFlow`, and any dialect's inline app): like call_hook
 * without the fetch — the verbs, already parsed and validated, replace the rest of the
 * call's running app and the verb running now is interrupted (a dial's other leg is hung
 * up with it). A held party is taken off hold first. A dialed leg without an app of its
 * own leaves the dial and runs the verbs in a new session (as child_call_hook).
 */
export async function applyReplace(ctx: LiveContext, call: Call, steps: VerbStep[]): Promise<void> {
  if (call.ended) throw conflict(`a new document needs an active call; this one is ${call.state}`)
  const session = ctx.sessions.get(call.sid)
  if (session) {
    await unhold(call)
    session.replace(steps)
    return
  }
  const bridge = call.bridge
  if (!bridge || bridge.child !== call) throw conflict('this call runs no application that a new document could replace')
  const own = ctx.sessionFor(call)
  await unhold(call)
  await bridge.release()
  void own.run(steps)
}
