import type { CallUpdate } from '../../../app/live-control/call-update.js'
import { parseWhisper } from '../../../app/live-control/whisper-sources.js'
import type { StatusShaper } from '../../../app/status-events.js'
import type { DialTarget } from '../../../app/verbs/dial/dial-target.js'
import { LivecallError } from '../../../errors/index.js'

const KNOWN = ['state', 'recordingEnabled', 'recordingFileFormat', 'transferTo', 'transferCallerId', 'whisperAudio', 'callbackUrl'] as const
const TRANSFER_ONLY = ['transferTo', 'transferCallerId', 'whisperAudio', 'callbackUrl'] as const
const STATES = ['rejected', 'active', 'completed', 'transferring'] as const
const SIP_URI = /^sips?:[^\s<>"]+$/i
const NUMBER = /^\+?[0-9]{1,32}$/

const bad = (message: string) => new LivecallError('LIVECALL_ERR_BAD_REQUEST', message)

/** What the route needs to build the transfer target's event shaper. */
export type ShaperFor = (callbackUrl: string) => StatusShaper

/**
 * Seed 004, POST /v1/users/{userId}/calls/{callId} → the CallUpdates it means, in order
 * (400 naming the field before anything is done):
 *  - state rejected → reject (603 Decline), active → answer, completed → hangup (BYE),
 *    transferring → transfer (transferTo required; transferCallerId, whisperAudio,
 *    callbackUrl only with it)
 *  - recordingEnabled true/false (JSON boolean or "true"/"false") → record start/stop,
 *    recordingFileFormat wav (default) / mp3; alone, or after state active
 */
export function parseBandwidthUpdate(body: unknown, shaperFor: ShaperFor): CallUpdate[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('the body must be a JSON object')
  const b = body as Record<string, unknown>
  const unknown = Object.keys(b).filter((k) => !(KNOWN as readonly string[]).includes(k))
  if (unknown.length > 0) throw bad(`unknown propert${unknown.length > 1 ? 'ies' : 'y'}: ${unknown.join(', ')}`)
  const state = b.state === undefined ? undefined : oneOf('state', b.state, STATES)
  if (state !== 'transferring') {
    const stray = TRANSFER_ONLY.filter((k) => b[k] !== undefined)
    if (stray.length > 0) throw bad(`${stray.join(', ')}: only with state transferring`)
  }
  const recording = b.recordingEnabled === undefined ? undefined : recordingOf(b)
  if (recording === undefined && b.recordingFileFormat !== undefined) throw bad('recordingFileFormat: only with recordingEnabled')
  if (recording && state !== undefined && state !== 'active') throw bad(`recordingEnabled cannot be combined with state ${state}`)
  const updates: CallUpdate[] = []
  if (state === 'rejected') updates.push({ op: { kind: 'reject', status: 603 } })
  if (state === 'active') updates.push({ op: { kind: 'answer' } })
  if (state === 'completed') updates.push({ op: { kind: 'hangup' } })
  if (state === 'transferring') updates.push(transferOf(b, shaperFor))
  if (recording) updates.push(recording)
  if (updates.length === 0) throw bad('nothing to do: give state or recordingEnabled')
  return updates
}

function recordingOf(b: Record<string, unknown>): CallUpdate {
  const v = b.recordingEnabled
  const on = v === true || v === 'true' ? true : v === false || v === 'false' ? false : undefined
  if (on === undefined) throw bad(`recordingEnabled must be true or false, got ${JSON.stringify(v)}`)
  const format = b.recordingFileFormat === undefined ? 'wav' : oneOf('recordingFileFormat', b.recordingFileFormat, ['wav', 'mp3'] as const)
  return { op: { kind: 'record', action: on ? 'start' : 'stop', format } }
}

function transferOf(b: Record<string, unknown>, shaperFor: ShaperFor): CallUpdate {
  const to = b.transferTo
  if (to === undefined) throw bad('transferTo: required with state transferring')
  if (typeof to !== 'string') throw bad(`transferTo must be a phone number or a sip: URI, got ${JSON.stringify(to)}`)
  let target: DialTarget
  const number = to.replace(/[\s().-]/g, '')
  if (SIP_URI.test(to)) target = { type: 'sip', sipUri: to, headers: {} }
  else if (NUMBER.test(number)) target = { type: 'phone', number, headers: {} }
  else throw bad(`transferTo must be a phone number (E.164) or a sip: URI, got ${JSON.stringify(to)}`)
  const callerId = b.transferCallerId === undefined ? undefined : callerIdOf(b.transferCallerId)
  const callbackUrl = b.callbackUrl === undefined ? undefined : urlOf('callbackUrl', b.callbackUrl)
  return {
    op: {
      kind: 'transfer',
      target,
      ...(callerId ? { callerId } : {}),
      ...(b.whisperAudio !== undefined ? { whisper: whisperOf(b.whisperAudio) } : {}),
      ...(callbackUrl ? { targetEvents: shaperFor(callbackUrl) } : {}),
    },
  }
}

/** `private` hides the caller (From anonymous, RFC 3323 §4.1.1.3); otherwise a number. */
function callerIdOf(v: unknown): string {
  if (v === 'private') return 'anonymous'
  if (typeof v === 'string' && NUMBER.test(v)) return v
  throw bad(`transferCallerId must be "private" or a phone number, got ${JSON.stringify(v)}`)
}

/**
 * whisperAudio: `{sentence, gender?, voice?, locale?, loopEnabled?}` spoken, or
 * `{fileUrl, loopEnabled?}` played (WAV/MP3 over HTTP, as the play verb).
 */
function whisperOf(v: unknown) {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('whisperAudio must be an object with sentence or fileUrl')
  const a = v as Record<string, unknown>
  const allowed = ['sentence', 'gender', 'voice', 'locale', 'fileUrl', 'loopEnabled']
  const stray = Object.keys(a).filter((k) => !allowed.includes(k))
  if (stray.length > 0) throw bad(`whisperAudio: unknown propert${stray.length > 1 ? 'ies' : 'y'} ${stray.join(', ')}`)
  if ((a.sentence === undefined) === (a.fileUrl === undefined)) throw bad('whisperAudio: give either sentence or fileUrl')
  for (const k of ['gender', 'voice', 'locale'] as const) {
    if (a[k] !== undefined && typeof a[k] !== 'string') throw bad(`whisperAudio.${k} must be a string`)
  }
  if (a.sentence !== undefined && (typeof a.sentence !== 'string' || a.sentence.trim() === '')) throw bad('whisperAudio.sentence must be a non-empty string')
  const fileUrl = a.fileUrl === undefined ? undefined : urlOf('whisperAudio.fileUrl', a.fileUrl)
  try {
    return parseWhisper(fileUrl ? { verb: 'play', url: fileUrl } : { verb: 'say', text: a.sentence })
  } catch (err) {
    throw bad(`whisperAudio: ${(err as Error).message}`)
  }
}

function urlOf(field: string, v: unknown): string {
  if (typeof v === 'string') {
    try {
      const u = new URL(v)
      if (u.protocol === 'http:' || u.protocol === 'https:') return v
    } catch {
      /* not a URL */
    }
  }
  throw bad(`${field} must be an http(s) URL, got ${JSON.stringify(v)}`)
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T
  throw bad(`${field} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${JSON.stringify(value)}`)
}
