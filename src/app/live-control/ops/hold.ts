import { PauseReason } from '../../../call/bridge.js'
import type { Call } from '../../../call/call.js'
import { CallFeatures } from '../../../call/call-features.js'
import type { Hook } from '../../webhook/index.js'
import { conflict } from '../conflict.js'
import type { LiveContext } from '../live-context.js'
import { playLoop } from './play-loop.js'
import { fetchWaitSources } from './wait-hook.js'

/**
 * hold_status (extension, two-party hold): re-INVITE the party named by the sid with
 * a=sendonly (we play it the wait_hook's audio) or a=inactive (no wait_hook), RFC 3264
 * §8.4, and cut the audio between the parties; unhold re-INVITEs a=sendrecv and
 * reconnects them. Answered only after the re-INVITE was answered; a refused re-INVITE
 * leaves the call as it was (our SDP direction restored) and is a 502.
 */
export async function applyHold(ctx: LiveContext, call: Call, hold: boolean, waitHook?: Hook): Promise<void> {
  const bridge = call.bridge
  if (!bridge?.connected) throw conflict('hold_status needs an active dial on this call')
  const features = CallFeatures.of(call)
  if (hold) {
    if (features.apiHold) return
    const sources = waitHook ? await fetchWaitSources(ctx, call, waitHook) : []
    await renegotiate(call, sources.length > 0 ? 'sendonly' : 'inactive')
    features.whisper?.abort()
    await bridge.pause(PauseReason.Hold, true)
    const music = new AbortController()
    features.apiHold = { music }
    if (sources.length > 0) void playLoop(call.requireEndpoint(), sources, AbortSignal.any([music.signal, call.signal]))
    return
  }
  await unhold(call)
}

/** Take the party off hold (also before a redirect: a held party must not be left without audio, jambonz #578). */
export async function unhold(call: Call): Promise<void> {
  const features = CallFeatures.of(call)
  const held = features.apiHold
  if (!held) return
  held.music.abort()
  await renegotiate(call, 'sendrecv')
  features.apiHold = undefined
  await call.bridge?.pause(PauseReason.Hold, false)
}

async function renegotiate(call: Call, direction: 'sendonly' | 'inactive' | 'sendrecv'): Promise<void> {
  const endpoint = call.requireEndpoint()
  const dialog = call.dialog
  if (!dialog) throw conflict('hold_status needs an answered call')
  const offer = await endpoint.setLocalDirection(direction)
  try {
    const answer = await dialog.reinvite(offer)
    await endpoint.setRemoteSdp(answer)
  } catch (err) {
    if (direction !== 'sendrecv') await endpoint.setLocalDirection('sendrecv').catch(() => undefined)
    throw err
  }
}
