/**
 * RTP_TIMEOUT_S on FreeSWITCH 1.10: the channel's `media_timeout` (a far end silent this
 * long is hung up, MEDIA_TIMEOUT) and `media_hold_timeout` (the same while it holds us).
 *
 * * Set at the channel's creation through the INVITE's X-Livecall-Media-Timeout /
 *   -Hold-Timeout headers (freeswitch/conf/dialplan/mrf.xml), because FreeSWITCH reads them
 *   when RTP starts, before the dialplan's socket hands the channel to livecall.
 * * FreeSWITCH cannot turn the hold timeout off once media_timeout is set (0 means
 *   10 × media_timeout), and it computes rate × timeout in 32 bits: the hold timeout is
 *   10 × the timeout, at most 4 min (the embedded engine has none on hold).
 * * FreeSWITCH 1.10.12 with the profile's soft timer did not switch to the hold timeout when
 *   the far end's re-INVITE put it on hold (a=inactive or a=sendonly): the call was hung up
 *   after media_timeout. It does re-read `media_timeout` / `media_timeout_audio` from the
 *   channel when a re-INVITE is negotiated, so livecall sets both before passing the far
 *   end's SDP on: the hold timeout while held, the timeout again once the far end sends
 *   again (setting media_timeout alone did not help: 0 of 1 runs; both: 4 of 4).
 */
import type { SdpDirection } from './mute-state.js'

export interface MediaTimeouts {
  timeoutMs: number
  holdTimeoutMs: number
}

const MAX_HOLD_TIMEOUT_MS = 240_000

export function mediaTimeouts(ms?: number): MediaTimeouts | undefined {
  if (!ms || !Number.isFinite(ms)) return undefined
  const timeoutMs = Math.round(ms)
  return { timeoutMs, holdTimeoutMs: Math.min(timeoutMs * 10, MAX_HOLD_TIMEOUT_MS) }
}

/** the headers of the channel's INVITE */
export function mediaTimeoutHeaders(timeouts: MediaTimeouts | undefined): Record<string, string> {
  if (!timeouts) return {}
  return { 'X-Livecall-Media-Timeout': String(timeouts.timeoutMs), 'X-Livecall-Media-Hold-Timeout': String(timeouts.holdTimeoutMs) }
}

/** true when a far end whose SDP says `direction` sends us no RTP by design (RFC 3264: inactive, recvonly), as the embedded engine decides */
export function farEndSendsNothing(direction: SdpDirection): boolean {
  return direction === 'inactive' || direction === 'recvonly'
}
