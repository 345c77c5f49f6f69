import { PauseReason } from '../../../call/bridge.js'
import type { Call } from '../../../call/call.js'
import { CallFeatures } from '../../../call/call-features.js'
import type { Whisper } from '../call-update.js'
import { conflict } from '../conflict.js'
import { playOnce } from './play-loop.js'

/**
 * whisper: play the say/play verbs to the party named by the sid; the other party hears
 * silence meanwhile; then they are reconnected. Resolves once the parties are apart and
 * the whisper has started. It stops when either leg ends (jambonz #1084: a whisper must
 * never outlive its call) or a newer whisper replaces it.
 */
export async function applyWhisper(call: Call, whisper: Whisper): Promise<void> {
  const bridge = call.bridge
  if (!bridge?.connected) throw conflict('whisper needs an active dial on this call')
  if (CallFeatures.of(call).apiHold || CallFeatures.of(bridge.other(call)).apiHold) throw conflict('whisper is not possible while a party is on hold')
  const features = CallFeatures.of(call)
  features.whisper?.abort()
  const stop = new AbortController()
  features.whisper = stop
  const signal = AbortSignal.any([stop.signal, call.signal, bridge.other(call).signal])
  await bridge.pause(PauseReason.Whisper, true)
  const endpoint = call.requireEndpoint()
  void playOnce(endpoint, whisper.sources, signal).finally(async () => {
    if (features.whisper === stop) features.whisper = undefined
    // a newer whisper keeps the parties apart; otherwise they hear each other again
    if (!features.whisper) await bridge.pause(PauseReason.Whisper, false).catch(() => undefined)
  })
}
