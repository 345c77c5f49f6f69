import { appInvalid } from './verb-errors.js'
import type { VerbDefinition } from './verb.js'

/** jambonz `pause`: wait `length` seconds (the call hears silence). */
export const pause: VerbDefinition<{ ms: number }> = {
  name: 'pause',
  parse(data) {
    const length = Number(data.length)
    if (!Number.isFinite(length) || length < 0 || length > 3600) throw appInvalid(`length must be 0–3600 seconds, got ${String(data.length)}`)
    return { ms: Math.round(length * 1000) }
  },
  run: (_ctx, opts, signal) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, opts.ms)
      signal.addEventListener('abort', done, { once: true })
      function done() {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        resolve()
      }
    }),
}
