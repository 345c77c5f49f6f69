import type { Call } from '../../../call/call.js'
import type { AppDialect } from '../../dialects/app-dialect.js'
import type { VerbStep } from '../../verbs/verb.js'
import { resolveHook, type Hook } from '../../webhook/index.js'
import { conflict } from '../conflict.js'
import type { LiveContext } from '../live-context.js'
import { unhold } from './hold.js'

/**
 * call_hook: fetch the new app first (a failing webhook is a 502 and nothing changed),
 * then run it instead of the current verb. A held party is taken off hold first
 * (jambonz #578). With an active dial the other leg is hung up, unless child_call_hook
 * is given too: then the dialed leg runs its own app (fetched before anything changes).
 * A dialed leg that has no app of its own gets one (as with child_call_hook).
 */
export async function applyRedirect(ctx: LiveContext, call: Call, op: { callHook: Hook; callStatusHook?: Hook; childCallHook?: Hook; fallbackHook?: Hook; dialect?: AppDialect }): Promise<void> {
  if (call.ended) throw conflict(`call_hook needs an active call; this one is ${call.state}`)
  const session = ctx.sessions.get(call.sid)
  const bridge = call.bridge
  if (!session) {
    if (bridge && bridge.child === call) return applyChildRedirect(ctx, bridge.parent, op.callHook, op.dialect)
    throw conflict('this call runs no application that call_hook could replace')
  }
  if (op.childCallHook && !bridge?.connected) throw conflict('child_call_hook needs an active dial on this call')
  // the child's app first: fetching the caller's app moves the base its relative hooks
  // resolve against, so that fetch must be the last thing that can fail (a 502 changes nothing)
  const child = op.childCallHook && bridge ? await prepareChild(ctx, bridge.child, op.childCallHook, op.dialect) : undefined
  // a dialect's FallbackUrl is requested when callHook fails; `dialect` switches the call to it (an XML app)
  const fallback = op.fallbackHook ? resolveHook(op.fallbackHook) : undefined
  let steps: VerbStep[]
  try {
    steps = await session.fetch(session.resolve(op.callHook), {}, { fallback, dialect: op.dialect })
  } catch (err) {
    child?.discard()
    throw err
  }
  if (op.callStatusHook) call.statusHook = resolveHook(op.callStatusHook)
  await unhold(call)
  if (child && bridge) await releaseChild(bridge, child)
  session.replace(steps)
}

/** child_call_hook: the dialed leg leaves the dial and runs its own app; the caller's app goes on after its dial. */
export async function applyChildRedirect(ctx: LiveContext, call: Call, hook: Hook, dialect?: AppDialect): Promise<void> {
  const bridge = call.bridge
  if (!bridge?.connected) throw conflict('child_call_hook needs an active dial on this call')
  const child = await prepareChild(ctx, bridge.child, hook, dialect)
  await unhold(bridge.child)
  await releaseChild(bridge, child)
}

/** A dialed leg's app, fetched but not yet running. */
interface PreparedChild {
  run(): void
  /** forget the session made for it (the update failed after all) */
  discard(): void
}

async function prepareChild(ctx: LiveContext, child: Call, hook: Hook, dialect?: AppDialect): Promise<PreparedChild> {
  const existing = ctx.sessions.get(child.sid)
  const session = ctx.sessionFor(child)
  const discard = (): void => {
    if (!existing && ctx.sessions.get(child.sid) === session) ctx.sessions.delete(child.sid)
  }
  let steps: VerbStep[]
  try {
    steps = await session.fetch(resolveHook(hook), {}, { dialect })
  } catch (err) {
    discard()
    throw err
  }
  return { run: () => void session.run(steps), discard }
}

async function releaseChild(bridge: NonNullable<Call['bridge']>, child: PreparedChild): Promise<void> {
  await bridge.release()
  child.run()
}
