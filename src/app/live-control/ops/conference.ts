import type { Call } from '../../../call/call.js'
import type { PlaySource } from '../../../media/types.js'
import type { Hook } from '../../webhook/index.js'
import { conflict } from '../conflict.js'
import type { LiveContext } from '../live-context.js'
import { fetchWaitSources } from './wait-hook.js'

/** conf_mute_status: mute / unmute every non-moderator of the call's conference. */
export async function applyConfMute(ctx: LiveContext, call: Call, mute: boolean): Promise<void> {
  const membership = ctx.deps.conferences.membership(call.sid)
  if (!membership) throw conflict('conf_mute_status needs a call in a conference')
  membership.room.muteNonModerators(mute)
}

/** conf_hold_status: the member neither hears nor is heard; wait_hook's play/say verbs are looped to it. */
export async function applyConfHold(ctx: LiveContext, call: Call, hold: boolean, waitHook?: Hook): Promise<void> {
  const membership = ctx.deps.conferences.membership(call.sid)
  if (!membership) throw conflict('conf_hold_status needs a call in a conference')
  if (!hold) {
    membership.room.unhold(call.sid)
    return
  }
  const wait: PlaySource | undefined = waitHook ? (await fetchWaitSources(ctx, call, waitHook))[0] : undefined
  membership.room.hold(call.sid, wait && { ...wait, loop: Number.MAX_SAFE_INTEGER } as PlaySource)
}
