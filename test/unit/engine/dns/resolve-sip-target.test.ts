import { describe, expect, it } from 'vitest'
import type { DnsLookup, Naptr, Srv } from '../../../../src/engine/dns/dns-lookup.js'
import { SipTargetResolver } from '../../../../src/engine/dns/resolve-sip-target.js'
import { TargetList } from '../../../../src/engine/dns/target-list.js'
import { parseUri } from '../../../../src/engine/message/index.js'
import type { Protocol } from '../../../../src/engine/transport/peer.js'

interface Zone {
  naptr?: Record<string, Naptr[]>
  srv?: Record<string, Srv[]>
  a?: Record<string, string[]>
}

/** A DnsLookup over a fixed zone that records what was asked. */
function zoneLookup(zone: Zone, asked: string[]): DnsLookup {
  return {
    naptr: async (n) => (asked.push(`NAPTR ${n}`), zone.naptr?.[n] ?? []),
    srv: async (n) => (asked.push(`SRV ${n}`), zone.srv?.[n] ?? []),
    a: async (n) => (asked.push(`A ${n}`), zone.a?.[n] ?? []),
    aaaa: async (n) => (asked.push(`AAAA ${n}`), []),
  }
}

function resolver(zone: Zone, usable: Protocol[] = ['udp', 'tcp', 'tls'], hosts?: Map<string, string[]>) {
  const asked: string[] = []
  const r = new SipTargetResolver({ lookup: zoneLookup(zone, asked), usable: new Set(usable), family: 4, random: () => 0, hosts })
  return { asked, resolve: (uri: string) => r.resolve(parseUri(uri)) }
}

const srv = (priority: number, port: number, name: string): Srv => ({ priority, weight: 0, port, name })
const A = { 'edge1.example.net': ['10.0.0.1'], 'edge2.example.net': ['10.0.0.2', '10.0.0.3'], 'example.net': ['10.0.0.9'] }

describe('RFC 3263 §4 target resolution', () => {
  it('§4.2: a name with a port is looked up with A only, over UDP (sip:) or TLS (sips:)', async () => {
    const r = resolver({ a: A })
    expect(await r.resolve('sip:bob@example.net:5080')).toEqual([{ protocol: 'udp', address: '10.0.0.9', port: 5080 }])
    expect(await r.resolve('sips:bob@example.net:5081')).toEqual([{ protocol: 'tls', address: '10.0.0.9', port: 5081, serverName: 'example.net' }])
    expect(r.asked).toEqual(['A example.net', 'A example.net'])
  })

  it('§4.1: an explicit transport skips NAPTR and asks the SRV of that transport', async () => {
    const r = resolver({ srv: { '_sip._tcp.example.net': [srv(10, 5070, 'edge1.example.net')] }, a: A })
    expect(await r.resolve('sip:bob@example.net;transport=tcp')).toEqual([{ protocol: 'tcp', address: '10.0.0.1', port: 5070 }])
    expect(r.asked).toEqual(['SRV _sip._tcp.example.net', 'A edge1.example.net'])
  })

  it('§4.2: an explicit transport without SRV falls back to A on the default port', async () => {
    const r = resolver({ a: A })
    expect(await r.resolve('sip:bob@example.net;transport=tcp')).toEqual([{ protocol: 'tcp', address: '10.0.0.9', port: 5060 }])
    expect(await r.resolve('sips:bob@example.net')).toEqual([{ protocol: 'tls', address: '10.0.0.9', port: 5061, serverName: 'example.net' }])
  })

  it('§4.1: NAPTR records lead, in order, to their SRV names; every SRV target and address is kept for failover', async () => {
    const r = resolver({
      naptr: {
        'example.net': [
          { order: 20, preference: 1, flags: 's', service: 'SIP+D2U', regexp: '', replacement: '_sip._udp.example.net' },
          { order: 10, preference: 1, flags: 's', service: 'SIP+D2T', regexp: '', replacement: '_sip._tcp.example.net' },
        ],
      },
      srv: {
        '_sip._tcp.example.net': [srv(20, 5062, 'edge2.example.net'), srv(10, 5061, 'edge1.example.net')],
        '_sip._udp.example.net': [srv(10, 5060, 'edge1.example.net')],
      },
      a: A,
    })
    expect(await r.resolve('sip:bob@example.net')).toEqual([
      { protocol: 'tcp', address: '10.0.0.1', port: 5061 },
      { protocol: 'tcp', address: '10.0.0.2', port: 5062 },
      { protocol: 'tcp', address: '10.0.0.3', port: 5062 },
      { protocol: 'udp', address: '10.0.0.1', port: 5060 },
    ])
  })

  it('§4.1: without NAPTR, SRV for each transport we have (UDP, TCP, then TLS); without TLS no _sips._tcp', async () => {
    const zone = {
      srv: { '_sip._tcp.example.net': [srv(10, 5070, 'edge1.example.net')], '_sips._tcp.example.net': [srv(10, 5071, 'edge1.example.net')] },
      a: A,
    }
    const withTls = resolver(zone)
    expect(await withTls.resolve('sip:bob@example.net')).toEqual([
      { protocol: 'tcp', address: '10.0.0.1', port: 5070 },
      { protocol: 'tls', address: '10.0.0.1', port: 5071, serverName: 'example.net' },
    ])
    expect(withTls.asked).toEqual(['NAPTR example.net', 'SRV _sip._udp.example.net', 'SRV _sip._tcp.example.net', 'A edge1.example.net', 'SRV _sips._tcp.example.net', 'A edge1.example.net'])
    const noTls = resolver(zone, ['udp', 'tcp'])
    expect(await noTls.resolve('sip:bob@example.net')).toEqual([{ protocol: 'tcp', address: '10.0.0.1', port: 5070 }])
    expect(noTls.asked).not.toContain('SRV _sips._tcp.example.net')
  })

  it('§4.1: a sips: URI without NAPTR asks only _sips._tcp', async () => {
    const r = resolver({ srv: { '_sips._tcp.example.net': [srv(10, 5071, 'edge1.example.net')] }, a: A })
    expect(await r.resolve('sips:bob@example.net')).toEqual([{ protocol: 'tls', address: '10.0.0.1', port: 5071, serverName: 'example.net' }])
    expect(r.asked).toEqual(['NAPTR example.net', 'SRV _sips._tcp.example.net', 'A edge1.example.net'])
  })

  it('§4.2: no NAPTR, no SRV: A records of the host on 5060 over UDP', async () => {
    const r = resolver({ a: A })
    expect(await r.resolve('sip:bob@example.net')).toEqual([{ protocol: 'udp', address: '10.0.0.9', port: 5060 }])
  })

  it('a name in the hosts file needs no A query (files before DNS)', async () => {
    const r = resolver({}, undefined, new Map([['trunk', ['10.1.1.1', '::1']]]))
    expect(await r.resolve('sip:bob@trunk:5080')).toEqual([{ protocol: 'udp', address: '10.1.1.1', port: 5080 }])
    expect(r.asked).toEqual([])
  })

  it('a name that resolves to nothing gives no target', async () => {
    expect(await resolver({}).resolve('sip:bob@nowhere.example.net')).toEqual([])
  })
})

describe('TargetList (RFC 3263 §4.3 failover state)', () => {
  it('walks the targets once, then reports none left', () => {
    const list = new TargetList([
      { protocol: 'udp', address: '10.0.0.1', port: 5060 },
      { protocol: 'udp', address: '10.0.0.2', port: 5060 },
    ])
    expect(list.current.address).toBe('10.0.0.1')
    expect(list.remaining).toBe(1)
    expect(list.advance()?.address).toBe('10.0.0.2')
    expect(list.remaining).toBe(0)
    expect(list.advance()).toBeUndefined()
    expect(list.current.address).toBe('10.0.0.2')
  })
})
