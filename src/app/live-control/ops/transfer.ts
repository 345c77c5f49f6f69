import { Bridge, BridgeState } from '../../../call/bridge.js'
import type { Call } from '../../../call/call.js'
import { createOutboundCall } from '../../../call/outbound-call.js'
import { reportStatus, setStatusShaper, type StatusShaper } from '../../status-events.js'
import { requestUriOf, targetUser, type DialTarget } from '../../verbs/dial/dial-target.js'
import type { VerbContext, VerbDefinition, VerbStep } from '../../verbs/verb.js'
import type { UpdateOutcome, Whisper } from '../call-update.js'
import { conflict } from '../conflict.js'
import type { LiveContext } from '../live-context.js'
import { playOnce } from './play-loop.js'

export interface TransferRequest {
  target: DialTarget
  /** From of the new leg; default the call's own From */
  callerId?: string
  /** played to the target once it answers, before it is connected */
  whisper?: Whisper
  /** the new leg's events in a dialect's shape (Bandwidth: its callbackUrl) */
  targetEvents?: StatusShaper
  /** ring timeout of the new leg, ms (default 30 s, Bandwidth's callTimeout) */
  timeoutMs?: number
}

/**
 * transfer (Bandwidth v1 `state: transferring`): dial the target as a new child leg of
 * the answered call at once; the call's running app (and any dial in it) ends, the call
 * itself stays. When the target answers it hears the whisper, then it is bridged with
 * the call (a `transferred` status event) until either party hangs up, which ends both.
 * A target that does not answer ends the call too. Resolves with the new leg's sid once
 * its INVITE is on its way.
 */
export async function applyTransfer(ctx: LiveContext, call: Call, req: TransferRequest): Promise<UpdateOutcome> {
  if (!call.answered) throw conflict(`transfer needs an answered call; this one is ${call.state}`)
  const session = ctx.sessions.get(call.sid)
  if (!session) throw conflict('this call runs no application a transfer could replace (transfer the caller of a dial, not its dialed leg)')
  const uri = requestUriOf(req.target, ctx.deps.settings.sipTrunk)
  const { call: target, answered } = createOutboundCall(ctx.deps, {
    accountSid: call.accountSid,
    uri,
    from: req.callerId ?? call.from,
    to: targetUser(req.target),
    headers: req.target.headers,
    parent: call,
    timeoutMs: req.timeoutMs ?? 30_000,
    statusHook: call.statusHook,
    logger: ctx.deps.logger,
    observe: (c) => {
      if (req.targetEvents) setStatusShaper(c, req.targetEvents)
      ctx.deps.track(c)
    },
  })
  session.replace([transferStep({ target, answered, whisper: req.whisper })])
  return { created: { sid: target.sid } }
}

interface TransferLeg {
  target: Call
  answered: Promise<boolean>
  whisper?: Whisper
}

/** The call's app from now on: one step that waits for the target, whispers, bridges and lasts as long as the bridge. */
function transferStep(leg: TransferLeg): VerbStep {
  const definition: VerbDefinition<TransferLeg> = { name: 'transfer', parse: () => leg, run: runTransfer }
  return { name: 'transfer', opts: leg, definition: definition as VerbDefinition<unknown> }
}

async function runTransfer(ctx: VerbContext, { target, answered, whisper }: TransferLeg, signal: AbortSignal): Promise<void> {
  const { call } = ctx
  try {
    const ok = await Promise.race([answered, untilAborted(signal).then(() => false)])
    if (!ok || signal.aborted) return
    if (whisper) await playOnce(target.requireEndpoint(), whisper.sources, AbortSignal.any([signal, target.signal, call.signal]))
    if (signal.aborted || target.ended || call.ended) return
    const bridge = new Bridge(call, target)
    try {
      await bridge.connect()
      reportStatus(ctx.deps.webhooks, call, { type: 'transferred', description: call.describe(), target: target.describe() })
      await Promise.race([untilAborted(target.signal), untilAborted(signal), bridge.ended])
    } finally {
      const released = bridge.current === BridgeState.Released
      await bridge.disconnect()
      if (released) call.children.delete(target)
    }
  } finally {
    // the transfer is over (or abandoned): a target still ringing or connected ends with it,
    // unless live control gave it an application of its own (child_call_hook)
    if (call.children.has(target)) {
      call.children.delete(target)
      if (!target.ended) await target.hangup({ reason: call.ended ? 'caller hung up' : 'transfer ended' })
    }
  }
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}
