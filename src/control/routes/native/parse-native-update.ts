import type { CallOperation, CallUpdate } from '../../../app/live-control/call-update.js'
import { parseWhisper } from '../../../app/live-control/whisper-sources.js'
import type { Hook } from '../../../app/webhook/index.js'
import { LivecallError } from '../../../errors/index.js'

const KNOWN = ['call_hook', 'call_status_hook', 'child_call_hook', 'call_status', 'conf_hold_status', 'wait_hook', 'conf_mute_status',
  'listen_status', 'mute_status', 'whisper', 'hold_status', 'record', 'sip_request'] as const

/** the operations a request may name; at most one of them (call_hook and child_call_hook count as one) */
const OPERATIONS = ['call_hook', 'child_call_hook', 'call_status', 'conf_hold_status', 'conf_mute_status', 'listen_status', 'mute_status', 'hold_status', 'record', 'sip_request'] as const

const bad = (message: string) => new LivecallError('LIVECALL_ERR_BAD_REQUEST', message)

/**
 * SPEC §5, the native (jambonz) update body → one CallUpdate. Every combination rule
 * lives here, before anything is done: 400 naming the field or the conflict.
 *  - call_status, listen_status, mute_status, hold_status (and every other operation) are
 *    mutually exclusive; call_hook may come with child_call_hook
 *  - whisper alone, or with listen_status / mute_status (it plays after them)
 *  - call_status_hook only with call_hook; wait_hook only with conf_hold_status / hold_status
 *  - unknown properties are refused (an update that would silently do nothing is an error)
 */
export function parseNativeUpdate(body: unknown): CallUpdate {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('the body must be a JSON object')
  const b = body as Record<string, unknown>
  const unknown = Object.keys(b).filter((k) => !(KNOWN as readonly string[]).includes(k))
  if (unknown.length > 0) throw bad(`unknown propert${unknown.length > 1 ? 'ies' : 'y'}: ${unknown.join(', ')}`)
  const named = OPERATIONS.filter((k) => b[k] !== undefined)
  const ops = named.filter((k) => !(k === 'child_call_hook' && b.call_hook !== undefined))
  if (ops.length > 1) throw bad(`${named.join(' and ')} cannot be combined in one request`)
  if (b.call_status_hook !== undefined && b.call_hook === undefined) throw bad('call_status_hook is only allowed with call_hook')
  if (b.wait_hook !== undefined && b.conf_hold_status === undefined && b.hold_status === undefined) {
    throw bad('wait_hook is only allowed with conf_hold_status or hold_status')
  }
  const whisper = b.whisper === undefined ? undefined : whisperOf(b.whisper)
  if (whisper && ops.length === 1 && !['listen_status', 'mute_status'].includes(ops[0])) {
    throw bad(`whisper cannot be combined with ${ops[0]} (only alone, or with listen_status or mute_status)`)
  }
  if (ops.length === 0) {
    if (whisper) return { op: { kind: 'whisper' }, whisper }
    throw bad('nothing to do: name one of call_hook, child_call_hook, call_status, conf_hold_status, conf_mute_status, listen_status, mute_status, whisper, hold_status, record, sip_request')
  }
  return { op: operationOf(ops[0], b), ...(whisper ? { whisper } : {}) }
}

function operationOf(name: (typeof OPERATIONS)[number], b: Record<string, unknown>): CallOperation {
  switch (name) {
    case 'call_hook':
      return {
        kind: 'redirect',
        callHook: hookOf('call_hook', b.call_hook),
        ...(b.call_status_hook !== undefined ? { callStatusHook: hookOf('call_status_hook', b.call_status_hook) } : {}),
        ...(b.child_call_hook !== undefined ? { childCallHook: hookOf('child_call_hook', b.child_call_hook) } : {}),
      }
    case 'child_call_hook':
      return { kind: 'childRedirect', childCallHook: hookOf('child_call_hook', b.child_call_hook) }
    case 'call_status':
      return { kind: oneOf('call_status', b.call_status, ['completed', 'no-answer']) === 'completed' ? 'hangup' : 'noAnswer' }
    case 'conf_hold_status':
      return { kind: 'confHold', hold: oneOf('conf_hold_status', b.conf_hold_status, ['hold', 'unhold']) === 'hold', ...waitHook(b) }
    case 'conf_mute_status':
      return { kind: 'confMute', mute: oneOf('conf_mute_status', b.conf_mute_status, ['mute', 'unmute']) === 'mute' }
    case 'listen_status':
      return { kind: 'listen', pause: oneOf('listen_status', b.listen_status, ['pause', 'resume']) === 'pause' }
    case 'mute_status':
      return { kind: 'mute', mute: oneOf('mute_status', b.mute_status, ['mute', 'unmute']) === 'mute' }
    case 'hold_status':
      return { kind: 'hold', hold: oneOf('hold_status', b.hold_status, ['hold', 'unhold']) === 'hold', ...waitHook(b) }
    case 'record':
      return recordOf(b.record)
    case 'sip_request':
      return sipRequestOf(b.sip_request)
  }
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T
  throw bad(`${field} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${JSON.stringify(value)}`)
}

function waitHook(b: Record<string, unknown>): { waitHook?: Hook } {
  return b.wait_hook === undefined ? {} : { waitHook: hookOf('wait_hook', b.wait_hook) }
}

/** a hook is an absolute http(s) URL, or {url, method, username, password} */
export function hookOf(field: string, value: unknown): Hook {
  const url = typeof value === 'string' ? value : typeof value === 'object' && value !== null ? (value as { url?: unknown }).url : undefined
  if (typeof url !== 'string' || !/^https?:\/\/[^\s]+$/i.test(url)) throw bad(`${field} must be an absolute http(s) URL or {url, method}`)
  if (typeof value === 'object' && value !== null) {
    const method = (value as { method?: unknown }).method
    if (method !== undefined && !(typeof method === 'string' && /^(get|post)$/i.test(method))) throw bad(`${field}.method must be GET or POST`)
  }
  return value as Hook
}

function whisperOf(value: unknown) {
  try {
    return parseWhisper(value)
  } catch (err) {
    const message = (err as Error).message
    throw bad(message.startsWith('whisper') ? message : `whisper: ${message}`)
  }
}

function recordOf(value: unknown): CallOperation {
  if (typeof value !== 'object' || value === null) throw bad('record must be an object {action, format}')
  const r = value as Record<string, unknown>
  const extra = Object.keys(r).filter((k) => k !== 'action' && k !== 'format')
  if (extra.length > 0) throw bad(`record: unknown property ${extra.join(', ')}`)
  return {
    kind: 'record',
    action: oneOf('record.action', r.action, ['start', 'stop', 'pause', 'resume']),
    format: r.format === undefined ? 'wav' : oneOf('record.format', r.format, ['wav', 'mp3']),
  }
}

const METHODS = ['INFO', 'NOTIFY', 'MESSAGE', 'OPTIONS', 'UPDATE']

function sipRequestOf(value: unknown): CallOperation {
  if (typeof value !== 'object' || value === null) throw bad('sip_request must be an object {method, headers, body}')
  const r = value as Record<string, unknown>
  const extra = Object.keys(r).filter((k) => !['method', 'headers', 'body', 'content', 'content_type'].includes(k))
  if (extra.length > 0) throw bad(`sip_request: unknown property ${extra.join(', ')}`)
  const method = typeof r.method === 'string' ? r.method.toUpperCase() : ''
  if (!METHODS.includes(method)) throw bad(`sip_request.method must be one of ${METHODS.join(', ')}`)
  const headers: Record<string, string> = {}
  if (r.headers !== undefined) {
    if (typeof r.headers !== 'object' || r.headers === null || Array.isArray(r.headers)) throw bad('sip_request.headers must be an object')
    for (const [name, v] of Object.entries(r.headers)) {
      if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) throw bad(`sip_request.headers: ${JSON.stringify(name)} is not a header name`)
      if (typeof v !== 'string' || /[\r\n]/.test(v)) throw bad(`sip_request.headers.${name} must be a one-line string`)
      headers[name] = v
    }
  }
  // jambonz names them content / content_type; body and a Content-Type header work too
  if (r.body !== undefined && r.content !== undefined) throw bad('sip_request: give body or content, not both')
  const body = r.body ?? r.content
  if (body !== undefined && typeof body !== 'string') throw bad(`sip_request.${r.body !== undefined ? 'body' : 'content'} must be a string`)
  if (r.content_type !== undefined) {
    if (typeof r.content_type !== 'string' || !/^[\w.+-]+\/[\w.+-]+(\s*;[^\r\n]*)?$/.test(r.content_type)) throw bad('sip_request.content_type must be a media type')
    headers['Content-Type'] = r.content_type
  }
  return { kind: 'sipRequest', method, headers, ...(body !== undefined ? { body: body as string } : {}) }
}
