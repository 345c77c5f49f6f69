import type { Hook } from '../../webhook/index.js'
import { appInvalid } from '../verb-errors.js'
import { optBoolean, optHook, optNumber, optObject, optString } from '../verb-options.js'

export type ListenSampleRate = 8000 | 16000
export type ListenMixType = 'mono' | 'stereo' | 'mixed'

/** A jambonz `listen` (or `stream`) as livecall runs it, top level or nested in `dial`. */
export interface ListenVerbOptions {
  /** ws:// or wss:// */
  url: string
  sampleRate: ListenSampleRate
  mixType: ListenMixType
  /** merged into the first text frame (jambonz spreads it over the call attributes) */
  metadata: Record<string, unknown>
  maxLengthMs?: number
  /** the digit that ends the listen */
  finishOnKey?: string
  /** send each digit the caller presses to the socket as `{event:"dtmf", dtmf, duration}` */
  passDtmf: boolean
  /** a short beep to the caller before streaming starts */
  playBeep: boolean
  earlyMedia: boolean
  actionHook?: Hook
  /** HTTP Basic credentials for the websocket upgrade request (`wsAuth`, or the older `auth`) */
  wsAuth?: { username: string; password: string }
  /** jambonz default: enabled (audio sent back is played to the caller), non-streaming */
  bidirectionalAudio: { enabled: boolean; streaming: boolean; sampleRate?: number }
}

const DIGITS = /^[0-9*#A-Da-d]$/

/**
 * jambonz `listen` properties → typed options (after the jambonz schema check). Refuses
 * what cannot run: a non-websocket URL, a sample rate other than 8000/16000, a
 * finishOnKey that is not one DTMF key, a maxLength that is not positive, a
 * bidirectional sample rate outside 8000–192000 Hz.
 *
 * Accepted and ignored (see docs/verbs/listen.md): `timeout` (jambonz reads it but never
 * acts on it), `transcribe`, `channel`, `id`.
 */
export function parseListen(data: Record<string, unknown>): ListenVerbOptions {
  const url = optString(data, 'url')?.trim() ?? ''
  if (!/^wss?:\/\//i.test(url) || !URL.canParse(url)) throw appInvalid(`listen url must be a ws:// or wss:// URL, got ${JSON.stringify(data.url)}`)
  const rate = optNumber(data, 'sampleRate') ?? 8000
  if (rate !== 8000 && rate !== 16000) throw appInvalid(`listen sampleRate must be 8000 or 16000, got ${rate}`)
  const mixType = optString(data, 'mixType') ?? 'mono'
  if (mixType !== 'mono' && mixType !== 'stereo' && mixType !== 'mixed') throw appInvalid(`listen mixType must be mono, stereo or mixed, got ${JSON.stringify(mixType)}`)
  const maxLength = optNumber(data, 'maxLength')
  if (maxLength !== undefined && !(maxLength > 0)) throw appInvalid(`listen maxLength must be a positive number of seconds, got ${maxLength}`)
  const finishOnKey = optString(data, 'finishOnKey')
  if (finishOnKey !== undefined && finishOnKey !== '' && !DIGITS.test(finishOnKey)) {
    throw appInvalid(`listen finishOnKey must be one DTMF key (0-9, *, #, A-D), got ${JSON.stringify(finishOnKey)}`)
  }
  return {
    url,
    sampleRate: rate,
    mixType,
    metadata: optObject(data, 'metadata') ?? {},
    ...(maxLength !== undefined ? { maxLengthMs: Math.round(maxLength * 1000) } : {}),
    ...(finishOnKey ? { finishOnKey: finishOnKey.toUpperCase() } : {}),
    passDtmf: optBoolean(data, 'passDtmf') ?? false,
    playBeep: optBoolean(data, 'playBeep') ?? false,
    earlyMedia: optBoolean(data, 'earlyMedia') ?? false,
    actionHook: optHook(data, 'actionHook'),
    wsAuth: parseAuth(optObject(data, 'wsAuth') ?? optObject(data, 'auth')),
    bidirectionalAudio: parseBidirectional(data),
  }
}

function parseAuth(auth: Record<string, unknown> | undefined): { username: string; password: string } | undefined {
  if (!auth) return undefined
  const username = optString(auth, 'username')
  const password = optString(auth, 'password')
  if (username === undefined || password === undefined) throw appInvalid('listen wsAuth needs username and password')
  if (username.includes(':')) throw appInvalid('listen wsAuth username must not contain ":" (HTTP Basic)')
  return { username, password }
}

/** jambonz: bidirectional audio is on unless `disableBidirectionalAudio` (deprecated) or `bidirectionalAudio.enabled: false`. */
function parseBidirectional(data: Record<string, unknown>): ListenVerbOptions['bidirectionalAudio'] {
  const bidi = optObject(data, 'bidirectionalAudio') ?? {}
  const enabled = optBoolean(bidi, 'enabled') ?? optBoolean(data, 'disableBidirectionalAudio') !== true
  const sampleRate = optNumber(bidi, 'sampleRate')
  if (sampleRate !== undefined && (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 192000)) {
    throw appInvalid(`listen bidirectionalAudio.sampleRate must be an integer from 8000 to 192000 Hz, got ${sampleRate}`)
  }
  return { enabled, streaming: optBoolean(bidi, 'streaming') ?? false, ...(sampleRate !== undefined ? { sampleRate } : {}) }
}
