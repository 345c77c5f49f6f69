import { describe, expect, it } from 'vitest'
import {
  formatNameAddr,
  formatUri,
  formatVia,
  getHeader,
  getHeaders,
  getTag,
  hostToAddress,
  parseCSeq,
  parseMessage,
  parseNameAddr,
  parseUri,
  parseVia,
  SipParseError,
} from '../../../../src/engine/message/index.js'
import { WSINV } from '../../../support/sip-corpus/valid.js'

describe('parseVia / formatVia (RFC 3261 §20.42, RFC 3581)', () => {
  it('reads transport, host, port and parameters in order', () => {
    const via = parseVia('SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport;received=192.0.2.99')
    expect(via.transport).toBe('UDP')
    expect(via.host).toBe('192.0.2.10')
    expect(via.port).toBe(5060)
    expect([...via.params]).toEqual([
      ['branch', 'z9hG4bK776asdhds'],
      ['rport', null],
      ['received', '192.0.2.99'],
    ])
  })

  it('reads an IPv6 sent-by with and without a port', () => {
    expect(parseVia('SIP/2.0/TCP [2001:db8::1]:5070;branch=z9hG4bK1')).toMatchObject({ host: '[2001:db8::1]', port: 5070 })
    const noPort = parseVia('SIP/2.0/UDP [::1];branch=z9hG4bK1')
    expect(noPort.host).toBe('[::1]')
    expect(noPort.port).toBeUndefined()
  })

  it('tolerates whitespace around slashes and parameters (RFC 4475 wsinv)', () => {
    const via = parseVia('SIP  / 2.0  / tcp     spindle.example.com   ; branch  =   z9hG4bK9ikj8')
    expect(via).toMatchObject({ transport: 'TCP', host: 'spindle.example.com' })
    expect(via.params.get('branch')).toBe('z9hG4bK9ikj8')
  })

  it('formats back to the canonical shape', () => {
    const text = 'SIP/2.0/UDP [::1]:5070;branch=z9hG4bK1;rport=5070;received=::1'
    expect(formatVia(parseVia(text))).toBe(text)
    expect(formatVia({ transport: 'TCP', host: 'h.example.com', params: new Map([['branch', 'z9hG4bKx']]) })).toBe(
      'SIP/2.0/TCP h.example.com;branch=z9hG4bKx',
    )
  })

  it('refuses what is not a Via', () => {
    for (const bad of ['', 'garbage', 'SIP/2.0/UDP', 'SIP/3.0/UDP h', 'HTTP/2.0/UDP h', 'SIP/2.0/UDP h:99999', 'SIP/2.0/UDP h:port', 'SIP/2.0/UDP [::1']) {
      expect(() => parseVia(bad), bad).toThrow(SipParseError)
    }
  })
})

describe('parseNameAddr / formatNameAddr / getTag (RFC 3261 §20.10)', () => {
  it('reads a quoted display name with escapes, the URI and the parameters', () => {
    const na = parseNameAddr(String.raw`"Alice \"A\" Smith" <sip:alice@example.com;transport=tcp>;tag=abc;X-Flag`)
    expect(na.displayName).toBe('Alice "A" Smith')
    expect(na.uri).toBe('sip:alice@example.com;transport=tcp')
    expect([...na.params]).toEqual([['tag', 'abc'], ['x-flag', null]])
  })

  it('reads a token display name, with or without a space before <', () => {
    expect(parseNameAddr('Bob Smith <sip:bob@example.com>').displayName).toBe('Bob Smith')
    expect(parseNameAddr('caller<sip:caller@example.com>;tag=323')).toMatchObject({ displayName: 'caller', uri: 'sip:caller@example.com' })
  })

  it('treats parameters after a bare addr-spec as header parameters', () => {
    const na = parseNameAddr('sip:bob@example.com;tag=9;expires=60')
    expect(na.uri).toBe('sip:bob@example.com')
    expect(na.params.get('tag')).toBe('9')
    expect(na.params.get('expires')).toBe('60')
  })

  it('reads Contact: *', () => {
    expect(parseNameAddr('*')).toEqual({ uri: '*', params: new Map() })
    expect(formatNameAddr(parseNameAddr('*'))).toBe('*')
  })

  it('keeps a quoted parameter value with its quotes', () => {
    const na = parseNameAddr('<sip:a@192.0.2.1>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1')
    expect(na.params.get('+sip.instance')).toBe('"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"')
  })

  it('formats with <>, quoting and escaping the display name', () => {
    expect(formatNameAddr({ displayName: 'A "B" \\ C', uri: 'sip:a@x', params: new Map([['tag', '1']]) })).toBe(
      String.raw`"A \"B\" \\ C" <sip:a@x>;tag=1`,
    )
    expect(formatNameAddr({ uri: 'sip:a@x;lr', params: new Map() })).toBe('<sip:a@x;lr>')
  })

  it('round-trips through format', () => {
    const text = String.raw`"J Rosenberg \\\"" <sip:jdrosen@example.com>;tag=98asjd8`
    expect(formatNameAddr(parseNameAddr(text))).toBe(text)
  })

  it('refuses an unterminated quote or <', () => {
    expect(() => parseNameAddr('"Alice <sip:a@x>')).toThrow(SipParseError)
    expect(() => parseNameAddr('Alice <sip:a@x')).toThrow(SipParseError)
    expect(() => parseNameAddr('<sip:a@x> junk')).toThrow(SipParseError)
    expect(() => parseNameAddr('no scheme here')).toThrow(SipParseError)
  })

  it('getTag finds the tag in every shape and never throws', () => {
    expect(getTag('<sip:a@x>;tag=1928301774')).toBe('1928301774')
    expect(getTag('sip:a@x;TAG=abc')).toBe('abc')
    expect(getTag('"tag=no" <sip:tag@x;tag=inside>')).toBeUndefined()
    expect(getTag('<sip:a@x>')).toBeUndefined()
    expect(getTag('"broken <sip:a@x>;tag=1')).toBeUndefined()
  })
})

describe('parseUri / formatUri (RFC 3261 §19.1, RFC 3966)', () => {
  it('reads every part of a SIP URI', () => {
    const u = parseUri('sips:alice:secret@atlanta.example.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent')
    expect(u).toEqual({
      scheme: 'sips',
      user: 'alice',
      password: 'secret',
      host: 'atlanta.example.com',
      port: 5061,
      params: new Map<string, string | null>([['transport', 'tcp'], ['lr', null]]),
      headers: 'subject=project%20x&priority=urgent',
    })
  })

  it('reads IPv6 hosts and hosts without a user', () => {
    const noUser = parseUri('sip:[2001:db8::1]:5060;transport=udp')
    expect(noUser).toMatchObject({ host: '[2001:db8::1]', port: 5060 })
    expect(noUser.user).toBeUndefined()
    expect(parseUri('sip:bob@[::1]')).toMatchObject({ user: 'bob', host: '[::1]' })
  })

  it('keeps ; and escapes in the user part (RFC 4475 semiuri)', () => {
    const u = parseUri('sip:user;par=u%40example.net@example.com')
    expect(u.user).toBe('user;par=u%40example.net')
    expect(u.host).toBe('example.com')
  })

  it('reads a tel URI', () => {
    expect(parseUri('tel:+1-201-555-0123;ext=42')).toMatchObject({ scheme: 'tel', user: '+1-201-555-0123', host: '' })
  })

  it('gives an IPv6 host as a socket address without brackets', () => {
    expect(hostToAddress(parseUri('sip:a@[2001:db8::1]:5060').host)).toBe('2001:db8::1')
    expect(hostToAddress(parseVia('SIP/2.0/UDP [::1]:5070').host)).toBe('::1')
    expect(hostToAddress('192.0.2.1')).toBe('192.0.2.1')
  })

  it('keeps other schemes opaque', () => {
    const u = parseUri('urn:service:sos')
    expect(u).toMatchObject({ scheme: 'urn', opaque: 'service:sos' })
    expect(formatUri(u)).toBe('urn:service:sos')
  })

  it('round-trips through format', () => {
    for (const text of [
      'sip:alice@example.com',
      'sip:alice:pw@example.com:5060;transport=tcp;lr?h=v',
      'sip:[::1]:5070',
      'sips:192.0.2.1;maddr=239.255.255.1;ttl=15',
      'tel:+15551234567;phone-context=example.com',
    ]) {
      expect(formatUri(parseUri(text))).toBe(text)
    }
  })

  it('refuses what is not a URI', () => {
    for (const bad of ['', 'alice', ':x', 'sip:', 'sip:@example.com', 'sip:a@[::1', 'sip:a@host:70000', 'sip:a b@c', 'tel:']) {
      expect(() => parseUri(bad), bad).toThrow(SipParseError)
    }
  })
})

describe('parseCSeq (RFC 3261 §20.16)', () => {
  it('reads the number and method, with any LWS', () => {
    expect(parseCSeq('314159 INVITE')).toEqual({ seq: 314159, method: 'INVITE' })
    expect(parseCSeq('  0009 \t INVITE ')).toEqual({ seq: 9, method: 'INVITE' })
    expect(parseCSeq('2147483647 ACK')).toEqual({ seq: 2147483647, method: 'ACK' })
  })

  it('refuses non-numeric, out of range, or method-less values', () => {
    for (const bad of ['', 'INVITE', 'abc INVITE', '1INVITE', '2147483648 INVITE', '-1 INVITE', '1', '1 ', '1 IN VITE', '1.5 INVITE']) {
      expect(() => parseCSeq(bad), bad).toThrow(SipParseError)
    }
  })
})

describe('RFC 4475 wsinv: values read through the helpers', () => {
  const msg = parseMessage(WSINV)

  it('reads the folded To and From with their tags', () => {
    expect(getTag(getHeader(msg, 'to')!)).toBe('1918181833n')
    const from = parseNameAddr(getHeader(msg, 'from')!)
    expect(from.displayName).toBe('J Rosenberg \\"')
    expect(from.params.get('tag')).toBe('98asjd8')
  })

  it('reads the folded CSeq and all three Vias', () => {
    expect(parseCSeq(getHeader(msg, 'cseq')!)).toEqual({ seq: 9, method: 'INVITE' })
    const vias = getHeaders(msg, 'via').map(parseVia)
    expect(vias.map((v) => `${v.transport} ${v.host} ${v.params.get('branch')}`)).toEqual([
      'UDP 192.0.2.2 390skdjuw',
      'TCP spindle.example.com z9hG4bK9ikj8',
      'UDP 192.168.255.111 z9hG4bK30239',
    ])
  })

  it('reads the Contact with a quoted display name and spaced parameters', () => {
    const contact = parseNameAddr(getHeader(msg, 'contact')!)
    expect(contact.displayName).toBe('Quoted string ""')
    expect([...contact.params]).toEqual([['newparam', 'newvalue'], ['secondparam', null], ['q', '0.33']])
  })

  it('keeps unknown headers, empty ones and odd values as they are', () => {
    expect(getHeader(msg, 'newfangledheader')).toBe('newfangled value continued newfangled value')
    expect(getHeader(msg, 'unknownheaderwithunusualvalue')).toBe(';;,,;;,;')
    expect(getHeader(msg, 'subject')).toBe('')
    expect(getHeader(msg, 'max-forwards')).toBe('0068')
  })
})
