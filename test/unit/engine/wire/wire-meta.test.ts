import { describe, expect, it } from 'vitest'
import { meta6, wireTime } from '../../../../src/engine/wire/wire-meta.js'

/** drachtio-protocol.md §A.3: `<meta6>` = `source|bytes|protocol|address|port|time`. */
describe('wireTime', () => {
  it('formats HH:MM:SS.usec with six microsecond digits', () => {
    expect(wireTime(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)))).toBe('03:04:05.678000')
    expect(wireTime(new Date(Date.UTC(2024, 0, 2, 23, 59, 59, 7)))).toBe('23:59:59.007000')
    expect(wireTime(new Date(Date.UTC(2024, 0, 2, 0, 0, 0, 0)))).toBe('00:00:00.000000')
  })

  it('is UTC, as drachtio-server computes it (tv_sec % 86400), whatever the local time zone', () => {
    const saved = process.env.TZ
    try {
      process.env.TZ = 'Asia/Kolkata' // UTC+05:30
      const d = new Date(Date.UTC(2024, 5, 1, 12, 0, 1, 250))
      expect(d.getHours()).not.toBe(12)
      expect(wireTime(d)).toBe('12:00:01.250000')
    } finally {
      if (saved === undefined) delete process.env.TZ
      else process.env.TZ = saved
    }
  })

  it('matches the shape srf logs', () => {
    expect(wireTime()).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{6}$/)
  })
})

describe('meta6', () => {
  it('gives six tokens in srf order: source, bytes, protocol, address, port, time', () => {
    const m = meta6('network', 1234, { protocol: 'udp', address: '10.1.2.3', port: 5062 })
    const t = m.split('|')
    expect(t).toHaveLength(6)
    expect(t.slice(0, 5)).toEqual(['network', '1234', 'udp', '10.1.2.3', '5062'])
    expect(t[5]).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{6}$/)
  })

  it('uses `application` for what the engine sent on the app behalf', () => {
    expect(meta6('application', 9, { protocol: 'tcp', address: '127.0.0.1', port: 1 }).startsWith('application|9|tcp|127.0.0.1|1|')).toBe(true)
  })
})

describe('wireTime across calls', () => {
  it('gives each millisecond of the same second its own digits, and follows the second', () => {
    const base = Date.UTC(2024, 0, 2, 3, 4, 5, 0)
    expect(wireTime(base + 7)).toBe('03:04:05.007000')
    expect(wireTime(base + 70)).toBe('03:04:05.070000')
    expect(wireTime(base + 999)).toBe('03:04:05.999000')
    expect(wireTime(base + 1000)).toBe('03:04:06.000000')
    expect(wireTime(new Date(base + 86_400_000 + 3_600_000))).toBe('04:04:05.000000')
  })
})
