import { createSocket } from 'node:dgram'
import { describe, expect, it } from 'vitest'
import { PortPicker } from '../../support/ports.js'

describe('PortPicker.pickBlock', () => {
  it('hands out consecutive ports that are free, never twice', async () => {
    const picker = new PortPicker({ min: 18000, max: 18019 })
    const first = await picker.pickBlock(4)
    const second = await picker.pickBlock(4)
    const a = [first, first + 1, first + 2, first + 3]
    const b = [second, second + 1, second + 2, second + 3]
    expect(a.filter((p) => b.includes(p))).toEqual([])
    expect(Math.max(...a, ...b)).toBeLessThanOrEqual(18019)
    expect(a).not.toContain(await picker.pick())
  })

  it('skips a block with a port already bound on UDP', async () => {
    const busy = createSocket('udp4')
    await new Promise<void>((res) => busy.bind(18031, '127.0.0.1', () => res()))
    try {
      const picker = new PortPicker({ min: 18030, max: 18034 }) // only 18032–18034 is a free block
      const first = await picker.pickBlock(3)
      expect(first).toBe(18032)
    } finally {
      busy.close()
    }
  })
})

describe('PortPicker across pickers', () => {
  it('two pickers asking at once never hand out the same port (one process, one pool)', async () => {
    const a = new PortPicker({ min: 18040, max: 18059 })
    const b = new PortPicker({ min: 18040, max: 18059 })
    const got = await Promise.all([
      ...Array.from({ length: 5 }, () => a.pick()),
      ...Array.from({ length: 5 }, () => b.pick()),
      a.pickBlock(3),
    ])
    const blockStart = got.pop() as number
    const all = [...got, blockStart, blockStart + 1, blockStart + 2]
    expect(new Set(all).size).toBe(all.length)
  })
})
