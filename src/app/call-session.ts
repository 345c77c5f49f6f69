import type { Logger } from 'pino'
import type { Call } from '../call/call.js'
import { isCoded } from '../errors/index.js'
import type { AppDeps } from './app-deps.js'
import { appDialectOf, setAppDialect, type AppDialect } from './dialects/app-dialect.js'
import { Executor } from './executor.js'
import type { VerbContext, VerbStep } from './verbs/verb.js'
import { resolveHook, type Hook, type ResolvedHook } from './webhook/index.js'

/** Codes that end the application (and the call) rather than skipping one verb. */
const FATAL = new Set(['LIVECALL_ERR_APP_INVALID', 'LIVECALL_ERR_WEBHOOK_TIMEOUT', 'LIVECALL_ERR_WEBHOOK_HTTP', 'LIVECALL_ERR_WEBHOOK_NETWORK', 'LIVECALL_ERR_WEBHOOK_BODY', 'LIVECALL_ERR_WEBHOOK_URL', 'LIVECALL_ERR_DIAL_TARGET'])

/** How an application is fetched: a fallback URL, and the dialect to switch the call to. */
export interface FetchOptions {
  fallback?: ResolvedHook
  dialect?: AppDialect
}

/**
 * A call running its webhook application: the current application URL (against which
 * relative hooks resolve), the executor, and what verbs reach through their VerbContext.
 * When the app runs out of verbs the call is hung up (jambonz does the same); when the
 * app fails (a webhook error, an invalid document) the reason goes to the status hook
 * and the call ends cleanly.
 */
export class CallSession {
  private base: ResolvedHook | undefined
  private readonly executor: Executor
  readonly logger: Logger

  constructor(
    private readonly deps: AppDeps,
    readonly call: Call,
  ) {
    this.logger = call.logger
    this.executor = new Executor(call.signal, this.logger, (step, err) => this.verbFailed(step, err))
  }

  /** the application URL relative hooks resolve against */
  get applicationHook(): ResolvedHook | undefined {
    return this.base
  }

  resolve(hook: Hook): ResolvedHook {
    return resolveHook(hook, this.base)
  }

  /**
   * Fetch the app from `hook` in the call's dialect (jambonz: the call description POSTed
   * as JSON; twiml: Twilio's form parameters, an XML answer) and parse it; nothing runs
   * yet. When the request fails or the answer is not a valid document and a `fallback` is
   * given, the fallback is requested instead (TwiML FallbackUrl). `dialect` switches the
   * call's dialect once the fetch succeeded (a live update in another dialect).
   */
  async fetch(hook: ResolvedHook, payload: Record<string, unknown> = {}, opts: FetchOptions = {}): Promise<VerbStep[]> {
    const dialect = opts.dialect ?? appDialectOf(this.call)
    const ctx = { deps: this.deps, call: this.call }
    let steps: VerbStep[]
    let used = hook
    try {
      steps = await dialect.fetch(ctx, hook, payload, this.call.signal)
    } catch (err) {
      if (!opts.fallback || this.call.signal.aborted) throw err
      this.logger.warn({ url: hook.url, reason: (err as Error).message, fallback: opts.fallback.url }, 'application failed; requesting the fallback URL')
      used = opts.fallback
      steps = await dialect.fetch(ctx, opts.fallback, { ...payload, ...dialect.fallbackParams(hook.url, err) }, this.call.signal)
    }
    if (opts.dialect) setAppDialect(this.call, opts.dialect)
    this.base = used
    return steps
  }

  /**
   * Run `steps` (a fetched document, or a built-in one) to the end; then hang up.
   * Never rejects: every failure ends the call with its reason.
   */
  async run(steps: VerbStep[]): Promise<void> {
    try {
      await this.executor.run(this.context(), steps)
    } catch (err) {
      this.logger.error({ err }, 'application failed')
    }
    if (!this.call.ended) await this.call.hangup({ reason: 'application ended' })
  }

  /** Fetch an app and run it; a failed fetch ends the call with the reason (SPEC §4). */
  async start(hook: ResolvedHook, opts: FetchOptions = {}): Promise<void> {
    let steps: VerbStep[]
    try {
      steps = await this.fetch(hook, {}, opts)
    } catch (err) {
      await this.fail(err)
      return
    }
    await this.run(steps)
  }

  /** Replace the rest of the app with `steps` (redirect, actionHook answer, live call_hook). */
  replace(steps: VerbStep[]): void {
    this.executor.replace(steps)
  }

  /** End the app and the call because of `err`, reporting the reason to the status hook. */
  async fail(err: unknown): Promise<void> {
    const reason = isCoded(err) ? `${err.code}: ${err.message}` : String((err as Error)?.message ?? err)
    this.logger.warn({ reason }, 'application failed; ending the call')
    this.executor.stop()
    await this.call.hangup({ reason, status: 500 })
  }

  private verbFailed(step: VerbStep, err: unknown): 'continue' | 'stop' {
    if (isCoded(err) && FATAL.has(err.code)) {
      void this.fail(err)
      return 'stop'
    }
    this.logger.warn({ verb: step.name, err: (err as Error)?.message ?? err }, 'verb failed; going on with the next one')
    return 'continue'
  }

  private context(): VerbContext {
    return {
      call: this.call,
      deps: this.deps,
      logger: this.logger,
      resolve: (hook) => this.resolve(hook),
      actionHook: async (hook, results) => {
        if (!hook) return
        const dialect = appDialectOf(this.call)
        const params = dialect.actionParams(results)
        if (params === undefined) return
        const steps = await this.fetch(this.resolve(hook), params)
        if (steps.length > 0 || dialect.actionAlwaysReplaces) this.replace(steps)
      },
      redirect: async (hook) => {
        const steps = await this.fetch(this.resolve(hook))
        this.replace(steps)
      },
      stop: () => this.executor.stop(),
    }
  }
}
