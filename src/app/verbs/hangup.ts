import { headersOf } from './verb-options.js'
import type { VerbDefinition } from './verb.js'

/** jambonz `hangup`: BYE (answered) or 480 (unanswered), with the verb's headers; the app ends. */
export const hangup: VerbDefinition<{ headers: Record<string, string> }> = {
  name: 'hangup',
  parse: (data) => ({ headers: headersOf(data) }),
  async run(ctx, opts) {
    ctx.stop()
    await ctx.call.hangup({ reason: 'hangup verb', status: 480, headers: opts.headers })
  },
}
