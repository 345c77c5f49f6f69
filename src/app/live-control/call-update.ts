import type { PlaySource } from '../../media/types.js'
import type { TransferRequest } from './ops/transfer.js'
import type { AppDialect } from '../dialects/app-dialect.js'
import type { VerbStep } from '../verbs/verb.js'
import type { Hook } from '../webhook/index.js'

/** What is whispered: the play/say verbs as media sources, in order. */
export interface Whisper {
  sources: PlaySource[]
}

/**
 * One live change to a call (SPEC §5), whatever dialect asked for it: every dialect's
 * route maps its body onto this union, and live-control/ is the only place that
 * checks and applies it (ARCHITECTURE, call/ CallUpdate).
 */
export type CallOperation =
  /** call_hook: run a new app instead of the current verb; a dial's other leg is hung up unless childCallHook is given */
  | { kind: 'redirect'; callHook: Hook; callStatusHook?: Hook; childCallHook?: Hook; fallbackHook?: Hook; dialect?: AppDialect }
  /** child_call_hook alone: the dialed leg leaves the dial and runs its own app */
  | { kind: 'childRedirect'; childCallHook: Hook }
  /** call_status completed: BYE an answered call */
  | { kind: 'hangup' }
  /** call_status no-answer: CANCEL a ringing outbound call / reject a ringing inbound one (480) */
  | { kind: 'noAnswer' }
  | { kind: 'confHold'; hold: boolean; waitHook?: Hook }
  | { kind: 'confMute'; mute: boolean }
  | { kind: 'listen'; pause: boolean }
  | { kind: 'mute'; mute: boolean }
  | { kind: 'hold'; hold: boolean; waitHook?: Hook }
  | { kind: 'record'; action: 'start' | 'stop' | 'pause' | 'resume'; format: 'wav' | 'mp3' }
  | { kind: 'sipRequest'; method: string; headers: Record<string, string>; body?: string }
  /** whisper alone */
  | { kind: 'whisper' }
  /** answer an inbound call its app left ringing (Bandwidth state=active); 409 when it is not ringing */
  | { kind: 'answer' }
  /** reject a ringing inbound call with `status` (Bandwidth state=rejected: 603); 409 once answered */
  | { kind: 'reject'; status: number }
  /** transfer (Bandwidth state=transferring): dial a new leg, whisper to it, bridge it; the call's app ends */
  | ({ kind: 'transfer' } & TransferRequest)
  /** an inline document (Bird callFlow): parsed verbs that replace the running app, as call_hook without the fetch */
  | { kind: 'replace'; steps: VerbStep[] }
  /** Twilio Status=canceled: CANCEL a ringing outbound call / reject a ringing inbound one (487); 409 once answered */
  | { kind: 'cancel' }

export interface CallUpdate {
  op: CallOperation
  /** played to the party named by the call sid after `op` completed (SPEC §5: alone, or with listen/mute) */
  whisper?: Whisper
}

/** What an applied update reports back (most are a bare 204). */
export interface UpdateOutcome {
  /** sip_request: the far end's final response */
  sip?: { status: number; reason: string }
  /** record start/stop: the file */
  recording?: { path: string; duration_ms?: number }
  /** transfer: the new leg placed for it */
  created?: { sid: string }
}
