import { appInvalid } from './verb-errors.js'
import { optHook } from './verb-options.js'
import type { VerbDefinition } from './verb.js'
import type { Hook } from '../webhook/index.js'

/** jambonz `redirect`: fetch a new application from `actionHook`; it replaces the rest of this one. */
export const redirect: VerbDefinition<{ hook: Hook; statusHook?: Hook }> = {
  name: 'redirect',
  parse(data) {
    const hook = optHook(data, 'actionHook')
    if (!hook) throw appInvalid('redirect needs actionHook')
    return { hook, statusHook: optHook(data, 'statusHook') }
  },
  async run(ctx, opts) {
    if (opts.statusHook) ctx.call.statusHook = ctx.resolve(opts.statusHook)
    await ctx.redirect(opts.hook)
  },
}
