import type { VerbDefinition } from './verb.js'

/** jambonz `answer`: 200 OK to an inbound call that has not been answered yet. */
export const answer: VerbDefinition<Record<string, never>> = {
  name: 'answer',
  parse: () => ({}),
  async run(ctx) {
    await ctx.call.answer()
  },
}
