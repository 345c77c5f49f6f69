import type { Call } from '../../../call/call.js'
import { ApiMute } from '../../../call/party-audio.js'
import { conflict } from '../conflict.js'

/** mute_status: the party named by the sid is no longer heard by the other (and is again on unmute). */
export async function applyMute(call: Call, mute: boolean): Promise<void> {
  if (!call.bridge?.connected || !call.audio) throw conflict('mute_status needs an active dial on this call')
  await call.audio.setApiMute(mute ? ApiMute.Muted : ApiMute.Unmuted)
}
