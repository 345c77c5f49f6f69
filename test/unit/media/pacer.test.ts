import { describe, expect, it } from 'vitest'
import { Pacer, PacerState } from '../../../src/media/embedded/pacer.js'

describe('Pacer: one drift-corrected 20 ms loop', () => {
  it('ticks every client on a fixed 20 ms grid without accumulating drift', async () => {
    const pacer = new Pacer()
    const times: number[] = []
    const remove = pacer.add(() => times.push(Number(process.hrtime.bigint()) / 1e6))
    await new Promise((r) => setTimeout(r, 1010))
    remove()
    expect(pacer.currentState).toBe(PacerState.Idle)
    // 1 s = 50 ticks (+ the immediate first): no drift means no tick lost or gained
    // (a drifting loop loses about a tick per 20 ms of accumulated lateness, so a 1 ms/tick
    // drift shows as ~50 ms over this second; the bounds leave room for a loaded machine)
    expect(times.length).toBeGreaterThanOrEqual(49)
    expect(times.length).toBeLessThanOrEqual(53)
    const span = times[times.length - 1] - times[0]
    expect(Math.abs(span - (times.length - 1) * 20)).toBeLessThan(15)
  })

  it('a client that throws does not stop the others', async () => {
    const pacer = new Pacer()
    let n = 0
    const errors: unknown[] = []
    const p2 = new Pacer({ onClientError: (e) => errors.push(e) })
    const r1 = p2.add(() => {
      throw new Error('boom')
    })
    const r2 = p2.add(() => n++)
    await new Promise((r) => setTimeout(r, 70))
    r1()
    r2()
    pacer.close()
    expect(n).toBeGreaterThanOrEqual(3)
    expect(errors.length).toBe(n)
  })
})
