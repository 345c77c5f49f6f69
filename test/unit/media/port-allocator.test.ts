import { describe, expect, it } from 'vitest'
import { PortAllocator } from '../../../src/media/embedded/port-allocator.js'

describe('PortAllocator', () => {
  it('hands out even ports round-robin and fails with LIVECALL_ERR_MEDIA_NO_PORTS when full', async () => {
    const a = new PortAllocator(42001, 42006) // pairs 42002/3, 42004/5
    expect(a.capacity).toBe(2)
    const p1 = await a.allocate(async () => 'x')
    const p2 = await a.allocate(async () => 'y')
    expect([p1.port, p2.port]).toEqual([42002, 42004])
    await expect(a.allocate(async () => 'z')).rejects.toMatchObject({ code: 'LIVECALL_ERR_MEDIA_NO_PORTS', status: 503 })
    a.release(42002)
    expect((await a.allocate(async () => 'z')).port).toBe(42002)
  })

  it('skips a port whose bind fails', async () => {
    const a = new PortAllocator(42000, 42005)
    const got = await a.allocate(async (p) => {
      if (p === 42000) throw new Error('EADDRINUSE')
      return p
    })
    expect(got.port).toBe(42002)
    expect(a.used).toBe(1)
  })
})
