import type { VerbDefinition } from '../verbs/verb.js'

/**
 * Bird's `ringing` command: a 180 Ringing to an inbound call that is not answered yet
 * (the call core's `ring()`, as dial's answerOnBridge uses it); on an answered or an
 * outbound call there is nothing to do. Not a jambonz verb, so it is not in the verb
 * registry: only a Bird callFlow produces it.
 */
export const ringing: VerbDefinition<Record<string, never>> = {
  name: 'ringing',
  parse: () => ({}),
  async run(ctx) {
    ctx.call.ring()
  },
}
