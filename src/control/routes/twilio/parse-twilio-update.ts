import { LivecallError } from '../../../errors/index.js'
import { resolveHook, type ResolvedHook } from '../../../app/webhook/index.js'

/** What one update request asks for, before the call is looked at. */
export type TwilioAction =
  | { kind: 'status'; status: 'canceled' | 'completed' }
  | { kind: 'url'; hook: ResolvedHook; fallback?: ResolvedHook; moveBothLegs: boolean }
  | { kind: 'twiml'; xml: string }
  | { kind: 'mute'; mute: boolean }
  /** StatusCallback alone */
  | { kind: 'none' }

export interface TwilioUpdate {
  action: TwilioAction
  statusCallback?: ResolvedHook
}

const COMMON = ['Url', 'Method', 'FallbackUrl', 'FallbackMethod', 'Status', 'StatusCallback', 'StatusCallbackMethod', 'Twiml']
const RESTCOMM = ['Mute', 'MoveConnectedCallLeg']

function bad(message: string): LivecallError {
  return new LivecallError('LIVECALL_ERR_BAD_REQUEST', message)
}

function one(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name]
  if (v === undefined) return undefined
  if (typeof v !== 'string') throw bad(`${name} must be given once, as text`)
  return v
}

function methodOf(body: Record<string, unknown>, name: string): 'GET' | 'POST' {
  const v = (one(body, name) ?? 'POST').toUpperCase()
  if (v !== 'GET' && v !== 'POST') throw bad(`${name} must be GET or POST, got ${JSON.stringify(body[name])}`)
  return v
}

function hookOf(body: Record<string, unknown>, urlName: string, methodName: string): ResolvedHook | undefined {
  const url = one(body, urlName)
  if (url === undefined) {
    if (body[methodName] !== undefined) throw bad(`${methodName} needs ${urlName}`)
    return undefined
  }
  if (!/^https?:\/\//i.test(url)) throw new LivecallError('LIVECALL_ERR_WEBHOOK_URL', `${urlName} must be an absolute http(s) URL, got ${JSON.stringify(url)}`)
  return resolveHook({ url, method: methodOf(body, methodName) })
}

function boolOf(body: Record<string, unknown>, name: string): boolean | undefined {
  const v = one(body, name)
  if (v === undefined) return undefined
  if (/^true$/i.test(v)) return true
  if (/^false$/i.test(v)) return false
  throw bad(`${name} must be true or false, got ${JSON.stringify(v)}`)
}

/**
 * A form-encoded update (seed 003 / seed 001) → one action. Url (+Method, FallbackUrl,
 * FallbackMethod) redirects the call; Twiml runs an inline document; Status canceled /
 * completed ends it; Restcomm's Mute mutes it and MoveConnectedCallLeg=true moves both
 * legs of a dial to Url. These are exclusive: two of them together are a 400 naming
 * both. StatusCallback (+Method) may come with any of them, or alone. Unknown
 * parameters are a 400 naming them.
 */
export function parseTwilioUpdate(body: Record<string, unknown>, restcomm: boolean): TwilioUpdate {
  const allowed = restcomm ? [...COMMON, ...RESTCOMM] : COMMON
  for (const name of Object.keys(body)) if (!allowed.includes(name)) throw bad(`unknown parameter ${name}`)
  const hook = hookOf(body, 'Url', 'Method')
  const fallback = hookOf(body, 'FallbackUrl', 'FallbackMethod')
  const statusCallback = hookOf(body, 'StatusCallback', 'StatusCallbackMethod')
  const status = one(body, 'Status')
  const twiml = one(body, 'Twiml')
  const mute = restcomm ? boolOf(body, 'Mute') : undefined
  const move = restcomm ? boolOf(body, 'MoveConnectedCallLeg') : undefined

  const given = [hook && 'Url', twiml !== undefined && 'Twiml', status !== undefined && 'Status', mute !== undefined && 'Mute'].filter((n): n is string => typeof n === 'string')
  if (given.length > 1) throw bad(`${given.join(' and ')} cannot be given together`)
  if (fallback && !hook) throw bad('FallbackUrl needs Url')
  if (move !== undefined && !hook) throw bad('MoveConnectedCallLeg needs Url')

  let action: TwilioAction
  if (status !== undefined) {
    if (status !== 'canceled' && status !== 'completed') throw bad(`Status must be canceled or completed, got ${JSON.stringify(status)}`)
    action = { kind: 'status', status }
  } else if (hook) {
    action = { kind: 'url', hook, fallback, moveBothLegs: move === true }
  } else if (twiml !== undefined) {
    if (twiml.trim() === '') throw bad('Twiml is empty')
    action = { kind: 'twiml', xml: twiml }
  } else if (mute !== undefined) {
    action = { kind: 'mute', mute }
  } else if (statusCallback) {
    action = { kind: 'none' }
  } else {
    throw bad(restcomm ? 'give Url, Twiml, Status, Mute or StatusCallback' : 'give Url, Twiml, Status or StatusCallback')
  }
  return { action, statusCallback }
}
