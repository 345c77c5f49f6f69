import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { Executor } from '../../../src/app/executor.js'
import type { VerbContext, VerbDefinition, VerbStep } from '../../../src/app/verbs/verb.js'

const logger = pino({ level: 'silent' })
const ctx = {} as VerbContext

/** a fake verb: records start/end, waits `ms` or until aborted, or throws */
function step(name: string, log: string[], opts: { ms?: number; throws?: boolean } = {}): VerbStep {
  const definition: VerbDefinition<unknown> = {
    name,
    parse: (d) => d,
    run: (_c, _o, signal) =>
      new Promise<void>((resolve, reject) => {
        log.push(`start ${name}`)
        if (opts.throws) return reject(new Error(`${name} broke`))
        const t = setTimeout(() => {
          log.push(`end ${name}`)
          resolve()
        }, opts.ms ?? 0)
        signal.addEventListener('abort', () => {
          clearTimeout(t)
          log.push(`aborted ${name}`)
          resolve()
        })
      }),
  }
  return { name, opts: {}, definition }
}

describe('Executor', () => {
  it('runs the verbs in order, one at a time', async () => {
    const log: string[] = []
    await new Executor(new AbortController().signal, logger, () => 'continue').run(ctx, [step('a', log), step('b', log), step('c', log)])
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c'])
  })

  it('replace() aborts the running verb and runs the new list instead of the rest', async () => {
    const log: string[] = []
    const ex = new Executor(new AbortController().signal, logger, () => 'continue')
    const done = ex.run(ctx, [step('long', log, { ms: 10_000 }), step('never', log)])
    await new Promise((r) => setTimeout(r, 10))
    ex.replace([step('x', log), step('y', log)])
    await done
    expect(log).toEqual(['start long', 'aborted long', 'start x', 'end x', 'start y', 'end y'])
  })

  it('a throwing verb: the app goes on when the callback says continue, and stops when it says stop', async () => {
    const log: string[] = []
    const failed: string[] = []
    await new Executor(new AbortController().signal, logger, (s) => (failed.push(s.name), 'continue')).run(ctx, [step('bad', log, { throws: true }), step('next', log)])
    expect(log).toEqual(['start bad', 'start next', 'end next'])
    expect(failed).toEqual(['bad'])

    const log2: string[] = []
    await new Executor(new AbortController().signal, logger, () => 'stop').run(ctx, [step('bad', log2, { throws: true }), step('next', log2)])
    expect(log2).toEqual(['start bad'])
  })

  it('the end of the call (lifetime) aborts the running verb and runs nothing more; run() only once', async () => {
    const log: string[] = []
    const life = new AbortController()
    const ex = new Executor(life.signal, logger, () => 'continue')
    const done = ex.run(ctx, [step('long', log, { ms: 10_000 }), step('never', log)])
    await new Promise((r) => setTimeout(r, 10))
    life.abort()
    await done
    expect(log).toEqual(['start long', 'aborted long'])
    await expect(ex.run(ctx, [])).rejects.toThrow(/already ran/)
  })
})
