import type { Hook } from '../../webhook/index.js'
import { appInvalid } from '../verb-errors.js'
import { optBoolean, optHook, optNumber } from '../verb-options.js'

/** jambonz conference statusEvents; livecall has no talk detection, so the *-talking ones are accepted and never sent */
export const STATUS_EVENTS = ['start', 'end', 'join', 'leave', 'start-talking', 'stop-talking'] as const
export type ConferenceEvent = (typeof STATUS_EVENTS)[number]

export interface ConferenceOptions {
  name: string
  startConferenceOnEnter: boolean
  endConferenceOnExit: boolean
  joinMuted: boolean
  maxParticipants?: number
  waitHook?: Hook
  enterHook?: Hook
  statusHook?: Hook
  statusEvents: ConferenceEvent[]
  actionHook?: Hook
}

/** jambonz properties that change what a call hears in ways livecall does not do yet: refused, not silently dropped */
const UNSUPPORTED = ['record', 'listen', 'speakOnlyTo'] as const

export function parseConferenceOptions(data: Record<string, unknown>): ConferenceOptions {
  const name = typeof data.name === 'string' ? data.name.trim() : ''
  if (name === '') throw appInvalid('conference needs a name')
  if (name.length > 128 || /[\u0000-\u001f]/.test(name)) throw appInvalid(`conference name ${JSON.stringify(data.name)} must be 1–128 characters without control characters`)
  for (const key of UNSUPPORTED) {
    if (data[key] !== undefined) throw appInvalid(`conference.${key} is not supported by livecall`)
  }
  const maxParticipants = optNumber(data, 'maxParticipants')
  if (maxParticipants !== undefined && (!Number.isInteger(maxParticipants) || maxParticipants < 2)) {
    throw appInvalid(`maxParticipants must be an integer of at least 2, got ${String(data.maxParticipants)}`)
  }
  return {
    name,
    startConferenceOnEnter: optBoolean(data, 'startConferenceOnEnter') ?? true,
    endConferenceOnExit: optBoolean(data, 'endConferenceOnExit') ?? false,
    joinMuted: optBoolean(data, 'joinMuted') ?? false,
    maxParticipants,
    waitHook: optHook(data, 'waitHook'),
    enterHook: optHook(data, 'enterHook'),
    statusHook: optHook(data, 'statusHook'),
    statusEvents: statusEventsOf(data.statusEvents),
    actionHook: optHook(data, 'actionHook'),
  }
}

function statusEventsOf(v: unknown): ConferenceEvent[] {
  if (v === undefined) return []
  if (!Array.isArray(v)) throw appInvalid('statusEvents must be an array')
  return v.map((e) => {
    if (!STATUS_EVENTS.includes(e as ConferenceEvent)) throw appInvalid(`statusEvents: ${JSON.stringify(e)} is not one of ${STATUS_EVENTS.join(', ')}`)
    return e as ConferenceEvent
  })
}
