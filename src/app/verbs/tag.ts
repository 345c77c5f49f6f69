import { appInvalid } from './verb-errors.js'
import { optObject } from './verb-options.js'
import type { VerbDefinition } from './verb.js'

/** jambonz `tag`: attach `data` to the call; it is sent as `customerData` with every later webhook. */
export const tag: VerbDefinition<{ data: Record<string, unknown> }> = {
  name: 'tag',
  parse(data) {
    const obj = optObject(data, 'data')
    if (!obj) throw appInvalid('tag needs a data object')
    return { data: obj }
  },
  async run(ctx, opts) {
    ctx.call.customerData = { ...opts.data }
  },
}
