import type { Logger } from 'pino'
import type { Call } from '../../call/call.js'
import type { AppDeps } from '../app-deps.js'
import type { Hook, ResolvedHook } from '../webhook/index.js'

/**
 * One jambonz verb (jambonz feature-server keeps one file per task; so do we):
 * `parse` turns the jambonz-validated properties into typed options, or throws
 * `appInvalid()` so a document that cannot run is refused before any verb runs;
 * `run` performs it and resolves when the verb is done (or its signal aborted).
 */
export interface VerbDefinition<T = unknown> {
  readonly name: string
  parse(data: Record<string, unknown>): T
  run(ctx: VerbContext, opts: T, signal: AbortSignal): Promise<void>
}

/** A verb of a parsed document, ready to run. */
export interface VerbStep {
  readonly name: string
  readonly opts: unknown
  readonly definition: VerbDefinition<unknown>
}

/** What a running verb can reach: its call, the app's services, and its session. */
export interface VerbContext {
  readonly call: Call
  readonly deps: AppDeps
  readonly logger: Logger
  /** resolve a hook named by the document against the current application URL */
  resolve(hook: Hook): ResolvedHook
  /**
   * Call a verb's actionHook with the verb's results (plus the call description). When
   * it answers with a non-empty document, that document replaces the rest of the app
   * (jambonz semantics); an empty answer lets the app go on.
   */
  actionHook(hook: Hook | undefined, results: Record<string, unknown>): Promise<void>
  /** fetch a new application from `hook` and run it instead of the rest (redirect) */
  redirect(hook: Hook): Promise<void>
  /** end the application: no further verb runs */
  stop(): void
}
