import { Bridge, BridgeState } from '../../call/bridge.js'
import type { Call } from '../../call/call.js'
import { createOutboundCall } from '../../call/outbound-call.js'
import type { Hook } from '../webhook/index.js'
import { raceAttempts } from './dial/dial-race.js'
import { parseListen, startListen, type ActiveListen, type ListenVerbOptions } from './listen/index.js'
import { parseDialTarget, requestUriOf, targetUser, type DialTarget } from './dial/dial-target.js'
import { appInvalid } from './verb-errors.js'
import { headersOf, optBoolean, optHook, optNumber, optString } from './verb-options.js'
import type { VerbContext, VerbDefinition } from './verb.js'

export interface DialOptions {
  targets: DialTarget[]
  callerId?: string
  callerName?: string
  /** ring timeout, ms (jambonz `timeout`, seconds, default 60) */
  timeoutMs: number
  /** max length of the bridged call, ms (jambonz `timeLimit`) */
  timeLimitMs?: number
  answerOnBridge: boolean
  actionHook?: Hook
  headers: Record<string, string>
  /** jambonz `listen` (or `stream`) nested in dial: the caller's audio streamed while bridged */
  listen?: ListenVerbOptions
}

/**
 * jambonz `dial`: place a child call to each target at once (the first to answer wins),
 * bridge it with the caller through the media engine, and wait until either side hangs
 * up. The caller is answered at once unless `answerOnBridge` (then it rings until the
 * callee answers). The actionHook gets `dial_call_status` (completed, busy, no-answer,
 * failed, canceled), `dial_sip_status`, `dial_call_sid` and `duration`. A nested
 * `listen` streams the caller's leg to its websocket from the bridge until the dial
 * ends (live control pauses / resumes it with listen_status).
 */
export const dial: VerbDefinition<DialOptions> = {
  name: 'dial',
  parse(data) {
    if (!Array.isArray(data.target) || data.target.length === 0) throw appInvalid('dial needs at least one target')
    const timeout = optNumber(data, 'timeout') ?? 60
    if (timeout <= 0 || timeout > 600) throw appInvalid(`timeout must be 1–600 seconds, got ${timeout}`)
    const timeLimit = optNumber(data, 'timeLimit')
    if (timeLimit !== undefined && timeLimit <= 0) throw appInvalid(`timeLimit must be positive, got ${timeLimit}`)
    return {
      targets: data.target.map((t, i) => parseDialTarget(t as Record<string, unknown>, i)),
      callerId: optString(data, 'callerId'),
      callerName: optString(data, 'callerName'),
      timeoutMs: timeout * 1000,
      timeLimitMs: timeLimit === undefined ? undefined : timeLimit * 1000,
      answerOnBridge: optBoolean(data, 'answerOnBridge') ?? false,
      actionHook: optHook(data, 'actionHook'),
      headers: headersOf(data),
      listen: nestedListen(data),
    }
  },
  async run(ctx, opts, signal) {
    const { call } = ctx
    const uris = opts.targets.map((t) => requestUriOf(t, ctx.deps.settings.sipTrunk))
    if (!call.answered) {
      if (opts.answerOnBridge) call.ring()
      else await call.answer()
    }
    const attempts = opts.targets.map((target, i) =>
      createOutboundCall(ctx.deps, {
        accountSid: call.accountSid,
        uri: uris[i],
        from: opts.callerId ?? call.from,
        callerName: opts.callerName ?? (call.callerName || undefined),
        to: targetUser(target),
        headers: { ...opts.headers, ...target.headers },
        parent: call,
        timeoutMs: opts.timeoutMs,
        statusHook: call.statusHook,
        logger: ctx.deps.logger,
        observe: (c) => ctx.deps.track(c),
      }),
    )
    const { winner, last } = await raceAttempts(attempts, signal)
    if (!winner) {
      if (signal.aborted) return
      await ctx.actionHook(opts.actionHook, resultOf(last, undefined))
      return
    }
    const answeredAt = Date.now()
    await bridgeUntilEnd(ctx, winner, opts, signal)
    if (call.ended || signal.aborted) return
    await ctx.actionHook(opts.actionHook, resultOf(winner, Math.round((Date.now() - answeredAt) / 1000)))
  },
}

/**
 * Bridge caller and callee; resolves when either leg ends, the time limit passes, the
 * verb is interrupted, or live control released the child (child_call_hook).
 */
async function bridgeUntilEnd(ctx: VerbContext, child: Call, opts: DialOptions, signal: AbortSignal): Promise<void> {
  const { call } = ctx
  const bridge = new Bridge(call, child)
  let listen: ActiveListen | undefined
  try {
    if (!call.answered) await call.answer()
    await bridge.connect()
    listen = opts.listen ? await startNestedListen(ctx, opts.listen) : undefined
    await new Promise<void>((resolve) => {
      const timer = opts.timeLimitMs === undefined ? undefined : setTimeout(done, opts.timeLimitMs)
      const legEnded = () => done()
      child.signal.addEventListener('abort', legEnded, { once: true })
      signal.addEventListener('abort', legEnded, { once: true })
      void bridge.ended.then(done)
      function done() {
        clearTimeout(timer)
        child.signal.removeEventListener('abort', legEnded)
        signal.removeEventListener('abort', legEnded)
        resolve()
      }
    })
  } finally {
    await listen?.stop()
    const released = bridge.current === BridgeState.Released
    await bridge.disconnect()
    call.children.delete(child)
    // the caller's app goes on (or the caller is gone): the callee's leg ends with the dial,
    // unless live control gave it an application of its own
    if (!released && !child.ended) await child.hangup({ reason: call.ended ? 'caller hung up' : 'dial ended' })
  }
}

/** `listen` (or its alias `stream`) inside dial, a jambonz listen object (a `verb` key is tolerated) */
function nestedListen(data: Record<string, unknown>): ListenVerbOptions | undefined {
  const value = data.listen ?? data.stream
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw appInvalid('dial listen must be an object {url, …}')
  const props: Record<string, unknown> = { ...value }
  delete props.verb
  return parseListen(props)
}

/** jambonz goes on with the dial when the listen's socket cannot be reached: so do we (logged) */
async function startNestedListen(ctx: VerbContext, opts: ListenVerbOptions): Promise<ActiveListen | undefined> {
  try {
    return await startListen(ctx, opts, ctx.call.requireEndpoint())
  } catch (err) {
    ctx.logger.warn({ err: (err as Error).message, url: opts.url }, 'dial: the nested listen could not start')
    return undefined
  }
}

function resultOf(child: Call | undefined, duration: number | undefined): Record<string, unknown> {
  const d = child?.describe()
  return {
    dial_call_status: d?.call_status ?? 'failed',
    dial_sip_status: d?.sip_status ?? 503,
    dial_call_sid: d?.call_sid ?? null,
    duration: duration ?? 0,
  }
}
