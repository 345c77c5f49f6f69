import { resolveHook, type ResolvedHook } from '../../../app/webhook/index.js'
import { twilioBadRequest } from './twilio-errors.js'

export interface TwilioCreate {
  from: string
  /** a jambonz dial target */
  to: Record<string, unknown>
  url: ResolvedHook
  fallback?: ResolvedHook
  statusCallback?: ResolvedHook
  /** ring timeout, seconds (Twilio's default 60) */
  timeout?: number
  callerName?: string
}

const KNOWN = ['From', 'To', 'Url', 'Method', 'FallbackUrl', 'FallbackMethod', 'StatusCallback', 'StatusCallbackMethod', 'StatusCallbackEvent', 'Timeout', 'CallerName']

function text(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name]
  if (v === undefined) return undefined
  if (typeof v !== 'string') throw twilioBadRequest(20001, `${name} must be given once, as text`)
  return v.trim()
}

function hook(body: Record<string, unknown>, urlName: string, methodName: string): ResolvedHook | undefined {
  const url = text(body, urlName)
  if (url === undefined || url === '') return undefined
  if (!/^https?:\/\//i.test(url)) throw twilioBadRequest(21205, `${urlName} must be an absolute http(s) URL, got ${JSON.stringify(url)}`)
  const method = (text(body, methodName) ?? 'POST').toUpperCase()
  if (method !== 'GET' && method !== 'POST') throw twilioBadRequest(20001, `${methodName} must be GET or POST`)
  return resolveHook({ url, method })
}

/**
 * `POST …/Calls[.json]` (Twilio / SignalWire / Restcomm create): To is a `sip:` URI
 * (dialed as it is) or a phone number (sent to SIP_TRUNK); `client:` needs a registrar
 * livecall does not have. Url answers the XML app when the callee answers.
 * StatusCallbackEvent is accepted (every status change is reported). Unknown
 * parameters, and Twiml / ApplicationSid (give Url), are a 400 naming them.
 */
export function parseTwilioCreate(body: Record<string, unknown>): TwilioCreate {
  for (const name of Object.keys(body)) {
    if (!KNOWN.includes(name)) throw twilioBadRequest(20001, `${name} is not supported when creating a call${name === 'Twiml' || name === 'ApplicationSid' ? ': give Url' : ''}`)
  }
  const to = text(body, 'To')
  if (!to) throw twilioBadRequest(21201, "No 'To' number is specified")
  const from = text(body, 'From')
  if (!from) throw twilioBadRequest(21603, "A 'From' phone number is required")
  const url = hook(body, 'Url', 'Method')
  if (!url) throw twilioBadRequest(21205, 'Url is required')
  let target: Record<string, unknown>
  if (/^sips?:/i.test(to)) target = { type: 'sip', sipUri: to }
  else if (/^client:/i.test(to)) throw twilioBadRequest(21211, `To ${to}: client: addresses need a registrar, which livecall does not have; dial a sip: URI`)
  else target = { type: 'phone', number: to }
  const out: TwilioCreate = { from, to: target, url }
  const fallback = hook(body, 'FallbackUrl', 'FallbackMethod')
  if (fallback) out.fallback = fallback
  const statusCallback = hook(body, 'StatusCallback', 'StatusCallbackMethod')
  if (statusCallback) out.statusCallback = statusCallback
  const timeout = text(body, 'Timeout')
  if (timeout !== undefined) {
    if (!/^\d+$/.test(timeout) || Number(timeout) < 1 || Number(timeout) > 600) throw twilioBadRequest(20001, `Timeout must be 1–600 seconds, got ${JSON.stringify(timeout)}`)
    out.timeout = Number(timeout)
  }
  const callerName = text(body, 'CallerName')
  if (callerName) out.callerName = callerName
  return out
}
