import type Srf from 'drachtio-srf'
import { sipStatusOf } from './sip-errors.js'

/** drachtio-srf's private bookkeeping of a Dialog's re-INVITEs (lib/dialog.js, 5.0.x). */
interface ReinviteBookkeeping {
  _reinvitesInProgress?: { count: number; admitOne: Array<() => void> }
  local?: { sdp?: string }
}

/**
 * Work around drachtio-srf 5.0.x Dialog#modify: on a non-2xx final response to a
 * re-INVITE it rejects but never releases its one-re-INVITE-at-a-time slot, so every
 * later re-INVITE on the dialog waits forever (a refused hold would freeze the call's
 * command queue). It also keeps the refused offer as the dialog's local SDP, although
 * RFC 3261 §14.1 says a failed re-INVITE leaves the session as it was. Called after a
 * re-INVITE was answered with a final failure: releases the slot and restores `localSdp`.
 */
export function releaseRefusedReinvite(dialog: Srf.Dialog, err: unknown, localSdp: string | undefined): void {
  if (sipStatusOf(err) === undefined) return // no final response: srf released the slot itself
  const d = dialog as unknown as ReinviteBookkeeping
  const slots = d._reinvitesInProgress
  if (slots && slots.count > 0) {
    slots.count--
    const next = slots.admitOne.shift()
    if (next) setImmediate(next)
  }
  if (d.local && localSdp !== undefined) d.local.sdp = localSdp
}
