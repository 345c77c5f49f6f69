import type { Call } from '../../../call/call.js'
import { CallFeatures } from '../../../call/call-features.js'
import { conflict } from '../conflict.js'

/**
 * listen_status pause / resume: stop / restart the audio frames on the listen websocket,
 * which stays open. The listen may be the call's own (a `listen` verb) or nested in the
 * dial of the other leg.
 */
export async function applyListen(call: Call, pause: boolean): Promise<void> {
  const other = call.bridge?.other(call)
  const listen = CallFeatures.of(call).listen ?? (other ? CallFeatures.of(other).listen : undefined)
  if (!listen) throw conflict('listen_status needs an active listen on this call')
  if (pause) listen.pause()
  else listen.resume()
}
