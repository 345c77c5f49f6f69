import type { Call } from '../../call/call.js'
import type { AppDeps } from '../app-deps.js'
import type { VerbStep } from '../verbs/verb.js'
import type { ResolvedHook } from '../webhook/index.js'
import { jambonzDialect } from './jambonz-dialect.js'

/** The request and document shape of a call's application (SPEC §6). */
export type AppDialectName = 'jambonz' | 'twiml'

/** What a dialect needs to request an application for a call. */
export interface DialectFetchContext {
  readonly deps: AppDeps
  readonly call: Call
}

/**
 * How a call's application is requested and what it answers, chosen per call:
 * `jambonz` (the default) POSTs the call description as JSON and reads a JSON verb list;
 * `twiml` sends Twilio's form parameters, signed with X-Twilio-Signature, and reads an
 * XML document (TwiML / LaML / RCML) translated onto the same verbs.
 */
export interface AppDialect {
  readonly name: AppDialectName
  /** request `hook` for the call, with `extra` (action results in this dialect's names), and parse the answer */
  fetch(ctx: DialectFetchContext, hook: ResolvedHook, extra: Record<string, unknown>, signal: AbortSignal): Promise<VerbStep[]>
  /** a verb's jambonz actionHook results in this dialect's names; undefined: the action is not requested */
  actionParams(results: Record<string, unknown>): Record<string, unknown> | undefined
  /** true: an action's answer replaces the rest of the app even when it is empty (TwiML: verbs after an action are unreachable) */
  readonly actionAlwaysReplaces: boolean
  /** what a fallback URL request carries about the failure of the first one */
  fallbackParams(failedUrl: string, err: unknown): Record<string, unknown>
}

const dialects = new WeakMap<Call, AppDialect>()

/** From now on `call`'s application is requested and read in `dialect`'s shape. */
export function setAppDialect(call: Call, dialect: AppDialect): void {
  dialects.set(call, dialect)
}

/** The call's dialect: the one set for it, else jambonz. */
export function appDialectOf(call: Call): AppDialect {
  return dialects.get(call) ?? jambonzDialect
}
