import { describe, expect, it } from 'vitest'
import { naptrChoices } from '../../../../src/engine/dns/naptr.js'
import { orderSrv } from '../../../../src/engine/dns/srv.js'
import type { Naptr, Srv } from '../../../../src/engine/dns/dns-lookup.js'

const naptr = (order: number, preference: number, service: string, replacement: string, flags = 's'): Naptr =>
  ({ order, preference, flags, service, regexp: '', replacement })
const ALL = new Set(['udp', 'tcp', 'tls'] as const)

describe('NAPTR choice (RFC 3263 §4.1, RFC 3403)', () => {
  it('orders by order, then preference, and maps SIPS+D2T/SIP+D2T/SIP+D2U to tls/tcp/udp', () => {
    const records = [
      naptr(20, 10, 'SIP+D2U', '_sip._udp.example.net'),
      naptr(10, 50, 'SIP+D2T', '_sip._tcp.example.net'),
      naptr(10, 10, 'SIPS+D2T', '_sips._tcp.example.net'),
    ]
    expect(naptrChoices(records, ALL, false)).toEqual([
      { protocol: 'tls', srvName: '_sips._tcp.example.net' },
      { protocol: 'tcp', srvName: '_sip._tcp.example.net' },
      { protocol: 'udp', srvName: '_sip._udp.example.net' },
    ])
  })

  it('drops services we do not speak, flags other than S, and transports we lack (no TLS configured)', () => {
    const records = [
      naptr(10, 10, 'SIPS+D2T', '_sips._tcp.example.net'),
      naptr(10, 20, 'SIP+D2S', '_sip._sctp.example.net'),
      naptr(10, 30, 'E2U+sip', '!^.*$!sip:info@example.net!', 'u'),
      naptr(10, 40, 'SIP+D2T', '_sip._tcp.example.net', 'a'),
      naptr(20, 10, 'SIP+D2U', '_sip._udp.example.net.'),
    ]
    expect(naptrChoices(records, new Set(['udp', 'tcp']), false)).toEqual([{ protocol: 'udp', srvName: '_sip._udp.example.net' }])
  })

  it('keeps only SIPS+D2T for a sips: URI', () => {
    const records = [naptr(10, 10, 'SIP+D2U', '_sip._udp.example.net'), naptr(20, 10, 'SIPS+D2T', '_sips._tcp.example.net')]
    expect(naptrChoices(records, ALL, true)).toEqual([{ protocol: 'tls', srvName: '_sips._tcp.example.net' }])
  })
})

describe('SRV order (RFC 2782)', () => {
  const srv = (priority: number, weight: number, name: string, port = 5060): Srv => ({ priority, weight, port, name })

  it('lowest priority first, whatever the weights', () => {
    const out = orderSrv([srv(20, 100, 'c'), srv(10, 0, 'a'), srv(30, 1, 'd'), srv(10, 0, 'b')], () => 0)
    expect(out.map((r) => r.priority)).toEqual([10, 10, 20, 30])
  })

  it('within a priority, picks by running weight sum against a uniform number in [0, total]', () => {
    const records = [srv(10, 10, 'light'), srv(10, 90, 'heavy')]
    // total 100: a pick of 0..10 lands on the first record, 11..100 on the second
    expect(orderSrv(records, () => 0.05).map((r) => r.name)).toEqual(['light', 'heavy'])
    expect(orderSrv(records, () => 0.5).map((r) => r.name)).toEqual(['heavy', 'light'])
  })

  it('puts weight-0 records first in the running sum, so they are picked only when the draw is 0', () => {
    const records = [srv(10, 50, 'weighted'), srv(10, 0, 'zero')]
    expect(orderSrv(records, () => 0).map((r) => r.name)).toEqual(['zero', 'weighted'])
    expect(orderSrv(records, () => 0.3).map((r) => r.name)).toEqual(['weighted', 'zero'])
  })

  it('spreads load by weight over many draws', () => {
    const records = [srv(10, 1, 'one'), srv(10, 3, 'three')]
    let seed = 1
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647)
    let three = 0
    for (let i = 0; i < 4000; i++) if (orderSrv(records, random)[0].name === 'three') three++
    expect(three / 4000).toBeGreaterThan(0.55)
    expect(three / 4000).toBeLessThan(0.75)
  })

  it('a lone "." target means the service is not available', () => {
    expect(orderSrv([srv(0, 0, '.')])).toEqual([])
  })
})
