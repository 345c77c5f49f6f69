import type { MediaEndpoint } from '../../media/types.js'
import type { VerbContext } from './verb.js'

/**
 * A verb that needs audio answers the call first (jambonz answers on the first verb
 * that needs media), unless it asks for early media: then an unanswered inbound call
 * gets 183 Session Progress with our SDP and stays unanswered.
 */
export async function mediaReady(ctx: VerbContext, earlyMedia = false): Promise<MediaEndpoint> {
  const { call } = ctx
  if (!call.answered) {
    if (earlyMedia && call.direction === 'inbound') call.ring(true)
    else await call.answer()
  }
  return call.requireEndpoint()
}
