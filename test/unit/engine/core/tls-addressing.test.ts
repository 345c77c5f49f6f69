import { describe, expect, it } from 'vitest'
import { LocalAddress } from '../../../../src/engine/core/local-address.js'
import { resolveTarget } from '../../../../src/engine/core/resolve-target.js'
import { isLiteralHost } from '../../../../src/engine/dns/uri-transport.js'

describe('our address over TLS (RFC 3261 §26.2, as drachtio-server writes a sips:*;transport=tls contact)', () => {
  const local = new LocalAddress('10.0.0.1', 5060, 5061)

  it('Contact is sips: with transport=tls on the TLS port; UDP and TCP as before', () => {
    expect(local.contact('tls')).toBe('<sips:10.0.0.1:5061;transport=tls>')
    expect(local.contact('tcp')).toBe('<sip:10.0.0.1:5060;transport=tcp>')
    expect(local.contact('udp')).toBe('<sip:10.0.0.1:5060>')
  })

  it('Via names TLS and the TLS port', () => {
    expect(local.via('tls', 'z9hG4bKx')).toBe('SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bKx;rport')
  })

  it('hostports of the authenticate reply gain tls/host:port', () => {
    expect(local.hostports()).toBe('tcp/10.0.0.1:5060,udp/10.0.0.1:5060,tls/10.0.0.1:5061')
    expect(new LocalAddress('10.0.0.1', 5060).hostports()).toBe('tcp/10.0.0.1:5060,udp/10.0.0.1:5060')
  })

  it('a request to our TLS port is to ourselves', () => {
    expect(local.isSelf('10.0.0.1', 5061)).toBe(true)
    expect(local.isSelf('10.0.0.1', 5062)).toBe(false)
  })
})

describe('the transport a literal target names (RFC 3263 §4.1, RFC 5630 §3.2)', () => {
  it('sips: is TLS on 5061 whatever its transport parameter', () => {
    expect(resolveTarget('sips:bob@10.0.0.2')).toEqual({ protocol: 'tls', address: '10.0.0.2', port: 5061 })
    expect(resolveTarget('sips:bob@10.0.0.2:5071;transport=tcp')).toEqual({ protocol: 'tls', address: '10.0.0.2', port: 5071 })
  })

  it('sip: with transport=tls is TLS; with none, the fallback', () => {
    expect(resolveTarget('<sip:10.0.0.2;transport=TLS;lr>')).toEqual({ protocol: 'tls', address: '10.0.0.2', port: 5061 })
    expect(resolveTarget('sip:bob@10.0.0.2', 'tcp')).toEqual({ protocol: 'tcp', address: '10.0.0.2', port: 5060 })
    expect(resolveTarget('sip:bob@[::1]:5080')).toEqual({ protocol: 'udp', address: '::1', port: 5080 })
  })

  it('only names go through DNS: IP literals and localhost do not', () => {
    expect(isLiteralHost('10.0.0.2')).toBe(true)
    expect(isLiteralHost('[::1]')).toBe(true)
    expect(isLiteralHost('localhost')).toBe(true)
    expect(isLiteralHost('carrier.example.net')).toBe(false)
  })
})
