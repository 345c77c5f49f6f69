import type { CallDescription } from '../../../call/call-description.js'

/** livecall call states → Bird's call statuses (docs.bird.com Voice webhooks: starting, ringing, ongoing, completed, no-answer, busy, failed). */
const STATUS: Record<string, string> = {
  queued: 'queued',
  trying: 'starting',
  ringing: 'ringing',
  'early-media': 'ringing',
  'in-progress': 'ongoing',
  completed: 'completed',
  failed: 'failed',
  busy: 'busy',
  'no-answer': 'no-answer',
  canceled: 'canceled',
}

/** Bird's call object (seed 002, the 202 of PATCH …/calls/{callId}). */
export interface BirdCall {
  id: string
  channelId: string
  from: string
  to: string
  parentId?: string
  direction: 'incoming' | 'outgoing'
  status: string
  reason?: string
  type: 'sip'
  duration: number
  hangupSipCode?: string
  createdAt: string
  updatedAt: string
  answeredAt?: string
  endedAt?: string
}

/** A livecall call description in Bird's shape; `channelId` echoes the request's path. */
export function birdCallOf(d: CallDescription, channelId: string): BirdCall {
  const ended = d.end_time !== null
  return {
    id: d.call_sid,
    channelId,
    from: d.from,
    to: d.to,
    ...(d.parent_call_sid ? { parentId: d.parent_call_sid } : {}),
    direction: d.direction === 'inbound' ? 'incoming' : 'outgoing',
    status: STATUS[d.call_status] ?? d.call_status,
    ...(d.reason ? { reason: d.reason } : {}),
    type: 'sip',
    duration: d.duration,
    ...(ended && d.sip_status !== null ? { hangupSipCode: String(d.sip_status) } : {}),
    createdAt: d.start_time,
    updatedAt: d.end_time ?? d.timestamp,
    ...(d.answer_time ? { answeredAt: d.answer_time } : {}),
    ...(d.end_time ? { endedAt: d.end_time } : {}),
  }
}
