import { describe, expect, it } from 'vitest'
import {
  getHeader,
  getHeaders,
  getTag,
  parseCSeq,
  parseMessage,
  parseNameAddr,
  parseVia,
  serializeMessage,
  SipParseError,
  type SipMessage,
  type SipRequest,
} from '../../../../src/engine/message/index.js'
import { INVITE_LINES as L, SDP, inviteLines, sip, sipText } from '../../../support/sip-corpus/build.js'

function parseRequest(bytes: Buffer): SipRequest {
  const msg = parseMessage(bytes)
  if (msg.kind !== 'request') throw new Error('expected a request')
  return msg
}

function parseError(bytes: Buffer): SipParseError {
  try {
    parseMessage(bytes)
  } catch (err) {
    expect(err).toBeInstanceOf(SipParseError)
    return err as SipParseError
  }
  throw new Error('expected a SipParseError')
}

function withHeaders(...extra: string[]): Buffer {
  return sip(inviteLines([], extra), SDP)
}

describe('parseMessage: a typical INVITE', () => {
  const msg = parseRequest(sip(inviteLines(), SDP))

  it('reads the request line', () => {
    expect(msg.kind).toBe('request')
    expect(msg.method).toBe('INVITE')
    expect(msg.uri).toBe('sip:bob@192.0.2.20:5060')
  })

  it('keeps the headers in order under canonical lower-case names', () => {
    expect(msg.headers.map((h) => h.name)).toEqual([
      'via', 'max-forwards', 'to', 'from', 'call-id', 'cseq', 'contact', 'content-type', 'content-length',
    ])
    expect(getHeader(msg, 'Call-ID')).toBe('a84b4c76e66710@192.0.2.10')
    expect(getHeader(msg, 'cseq')).toBe('314159 INVITE')
  })

  it('gives the SDP body as bytes', () => {
    expect(msg.body.toString()).toBe(SDP)
  })

  it('parses a response status line', () => {
    const res = parseMessage(sip(['SIP/2.0 486 Busy Here', ...inviteLines(['start', 'contentType'])]))
    expect(res).toMatchObject({ kind: 'response', status: 486, reason: 'Busy Here' })
  })
})

describe('parseMessage tolerates legal variety', () => {
  it('expands compact header names (RFC 3261 §7.3.3)', () => {
    const msg = parseMessage(
      sip([
        L.start,
        'v: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1',
        'f: <sip:alice@example.com>;tag=1',
        't: <sip:bob@example.com>',
        'i: compact-1',
        'CSeq: 1 INVITE',
        'm: <sip:alice@192.0.2.10>',
        'c: application/sdp',
        'k: timer',
        's: hi',
        'e: gzip',
        'o: refer',
        'u: dialog',
        'r: <sip:carol@example.com>',
        'b: <sip:alice@example.com>',
        'x: 1800',
        'y: abc',
      ], SDP),
    )
    expect(msg.headers.map((h) => h.name)).toEqual([
      'via', 'from', 'to', 'call-id', 'cseq', 'contact', 'content-type', 'supported', 'subject',
      'content-encoding', 'event', 'allow-events', 'refer-to', 'referred-by', 'session-expires', 'identity',
      'content-length',
    ])
  })

  it('reads compact Content-Length (l)', () => {
    const msg = parseMessage(Buffer.from(`${inviteLines().join('\r\n')}\r\nl: 4\r\n\r\nv=0\r\n`))
    expect(msg.body.toString()).toBe('v=0\r')
  })

  it('matches header names case-insensitively', () => {
    const msg = parseMessage(sip(['INVITE sip:b@example.com SIP/2.0', 'VIA: SIP/2.0/UDP h;branch=z9hG4bKx', 'fRoM: <sip:a@x>;tag=1', 'TO: <sip:b@y>', 'call-id: ci', 'CSEQ: 1 INVITE']))
    expect(getHeader(msg, 'Via')).toBe('SIP/2.0/UDP h;branch=z9hG4bKx')
    expect(getHeader(msg, 'i')).toBe('ci')
  })

  it('allows any whitespace around the colon', () => {
    const msg = parseMessage(withHeaders('Subject   :   spaced out  ', 'X-Tab\t:\tvalue'))
    expect(getHeader(msg, 'subject')).toBe('spaced out')
    expect(getHeader(msg, 'x-tab')).toBe('value')
  })

  it('unfolds continuation lines (RFC 3261 §7.3.1)', () => {
    const msg = parseMessage(withHeaders('Subject: I know you\'re there,', '   pick up the phone', '\tand talk to me!'))
    expect(getHeader(msg, 'subject')).toBe("I know you're there, pick up the phone and talk to me!")
  })

  it('unfolds a header whose value starts on the next line', () => {
    const msg = parseMessage(sip([L.start, 'To :', ' sip:bob@example.com ;   tag    = 99', ...inviteLines(['start', 'to'])]))
    expect(getHeader(msg, 'to')).toBe('sip:bob@example.com ;   tag    = 99')
    expect(getTag(getHeader(msg, 'to')!)).toBe('99')
  })

  it('splits comma-separated Via, Route, Record-Route, Allow and Supported into entries', () => {
    const msg = parseMessage(
      withHeaders(
        'Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>',
        'Route: <sip:p3.example.com;lr>,<sip:p4.example.com;lr>',
        'Allow: INVITE, ACK,CANCEL , BYE',
        'Supported: timer, 100rel',
        'Via: SIP/2.0/UDP p5.example.com;branch=z9hG4bKa, SIP/2.0/TCP p6.example.com;branch=z9hG4bKb',
      ),
    )
    expect(getHeaders(msg, 'record-route')).toEqual(['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>'])
    expect(getHeaders(msg, 'route')).toEqual(['<sip:p3.example.com;lr>', '<sip:p4.example.com;lr>'])
    expect(getHeaders(msg, 'allow')).toEqual(['INVITE', 'ACK', 'CANCEL', 'BYE'])
    expect(getHeaders(msg, 'supported')).toEqual(['timer', '100rel'])
    expect(getHeaders(msg, 'via').map((v) => parseVia(v).host)).toEqual(['192.0.2.10', 'p5.example.com', 'p6.example.com'])
  })

  it('does not split Contact inside quotes or <> and splits it elsewhere', () => {
    const msg = parseMessage(
      sip([
        ...inviteLines(['contact']),
        'Contact: "Doe, John" <sip:jd@192.0.2.10;x=a,b>;expires=60, <sip:other@192.0.2.11>, sip:bare@192.0.2.12;q=0.5',
      ]),
    )
    const contacts = getHeaders(msg, 'contact')
    expect(contacts).toEqual(['"Doe, John" <sip:jd@192.0.2.10;x=a,b>;expires=60', '<sip:other@192.0.2.11>', 'sip:bare@192.0.2.12;q=0.5'])
    expect(parseNameAddr(contacts[0]).displayName).toBe('Doe, John')
  })

  it('does not split headers whose commas separate parameters (WWW-Authenticate, Date)', () => {
    const msg = parseMessage(
      withHeaders('WWW-Authenticate: Digest realm="example.com", nonce="abc", qop="auth,auth-int"', 'Date: Sat, 13 Nov 2010 23:29:00 GMT'),
    )
    expect(getHeaders(msg, 'www-authenticate')).toHaveLength(1)
    expect(getHeaders(msg, 'date')).toEqual(['Sat, 13 Nov 2010 23:29:00 GMT'])
  })

  it('accepts LF-only line endings', () => {
    const msg = parseMessage(Buffer.from(`${inviteLines().join('\n')}\nContent-Length: ${SDP.length}\n\n${SDP}`))
    expect(getHeader(msg, 'call-id')).toBe('a84b4c76e66710@192.0.2.10')
    expect(msg.body.toString()).toBe(SDP)
  })

  it('skips CRLFs before the start line (RFC 3261 §7.5)', () => {
    const msg = parseMessage(Buffer.concat([Buffer.from('\r\n\r\n\n'), sip(inviteLines(), SDP)]))
    expect(msg.kind).toBe('request')
  })

  it('reads IPv6 hosts in the Request-URI, Via and Contact', () => {
    const msg = parseRequest(
      sip([
        'OPTIONS sip:[::1]:5060 SIP/2.0',
        'Via: SIP/2.0/UDP [::1]:5070;branch=z9hG4bKv6;rport',
        'From: <sip:a@[::1]:5070>;tag=1',
        'To: <sip:[::1]>',
        'Call-ID: v6',
        'CSeq: 1 OPTIONS',
        'Contact: <sip:a@[::1]:5070>, <sip:b@[2001:db8::1]>',
      ]),
    )
    expect(msg.uri).toBe('sip:[::1]:5060')
    expect(parseVia(getHeader(msg, 'via')!)).toMatchObject({ host: '[::1]', port: 5070 })
    expect(getHeaders(msg, 'contact')).toEqual(['<sip:a@[::1]:5070>', '<sip:b@[2001:db8::1]>'])
  })

  it('reads quoted display names with escaped quotes', () => {
    const msg = parseMessage(sip([...inviteLines(['from']), String.raw`From: "Alice \"The Boss\" \\ Smith" <sip:alice@example.com>;tag=77`]))
    const from = parseNameAddr(getHeader(msg, 'from')!)
    expect(from.displayName).toBe('Alice "The Boss" \\ Smith')
    expect(getTag(getHeader(msg, 'from')!)).toBe('77')
  })

  it('accepts Contact: * and parameters without values', () => {
    const msg = parseMessage(
      sip(['REGISTER sip:example.com SIP/2.0', 'Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKr;rport', L.from, L.to, L.callId, 'CSeq: 2 REGISTER', 'Contact: *', 'Expires: 0']),
    )
    expect(getHeaders(msg, 'contact')).toEqual(['*'])
    expect(parseVia(getHeader(msg, 'via')!).params.get('rport')).toBeNull()
  })

  it('accepts a lower-case sip/2.0 version and extra spaces in the start line', () => {
    expect(parseRequest(sip(['INVITE   sip:bob@example.com   sip/2.0', ...inviteLines(['start'])])).uri).toBe('sip:bob@example.com')
  })

  it('accepts an empty reason phrase and a UTF-8 one', () => {
    const lines = inviteLines(['start', 'contentType'])
    expect(parseMessage(sip(['SIP/2.0 180', ...lines]))).toMatchObject({ status: 180, reason: '' })
    expect(parseMessage(sip(['SIP/2.0 200 Хорошо', ...lines]))).toMatchObject({ status: 200, reason: 'Хорошо' })
  })

  it('accepts UTF-8 in header values', () => {
    const msg = parseMessage(sip([...inviteLines(['from']), 'From: "Zoë Ångström" <sip:zoe@example.com>;tag=1']))
    expect(parseNameAddr(getHeader(msg, 'from')!).displayName).toBe('Zoë Ångström')
  })

  it('ignores bytes after Content-Length octets (RFC 3261 §18.3)', () => {
    const bytes = Buffer.concat([sip(inviteLines(), SDP), Buffer.from('garbage after the body')])
    expect(parseMessage(bytes).body.toString()).toBe(SDP)
  })

  it('takes the rest of the datagram as the body when Content-Length is absent (UDP)', () => {
    expect(parseMessage(sip(inviteLines(), SDP, 'none')).body.toString()).toBe(SDP)
  })

  it('keeps an empty header value', () => {
    expect(getHeader(parseMessage(withHeaders('Subject:')), 'subject')).toBe('')
  })

  it('reads an unknown extension method whose CSeq matches', () => {
    const msg = parseRequest(sip(['FOO sip:b@example.com SIP/2.0', ...inviteLines(['start', 'cseq']), 'CSeq: 5 FOO']))
    expect(msg.method).toBe('FOO')
    expect(parseCSeq(getHeader(msg, 'cseq')!)).toEqual({ seq: 5, method: 'FOO' })
  })
})

describe('parseMessage refuses garbage', () => {
  it('refuses an unknown SIP version', () => {
    expect(parseError(sip(['INVITE sip:b@example.com SIP/2.1', ...inviteLines(['start'])])).message).toMatch(/version/)
  })

  it('refuses a status outside 100-699 or not numeric', () => {
    for (const line of ['SIP/2.0 099 x', 'SIP/2.0 700 x', 'SIP/2.0 20 x', 'SIP/2.0 abc x', 'SIP/2.0 2000 x', 'SIP/2.0 -200 x']) {
      const err = parseError(sip([line, ...inviteLines(['start', 'contentType'])]))
      expect(err.message, line).toMatch(/status/)
      expect(err.respondable).toBe(false)
    }
  })

  it('refuses a missing mandatory header in a response too', () => {
    for (const without of ['via', 'from', 'to', 'callId', 'cseq'] as const) {
      const err = parseError(sip(['SIP/2.0 200 OK', ...inviteLines(['start', 'contentType', without])]))
      expect(err.respondable, without).toBe(false)
    }
  })

  it('refuses a CSeq whose method differs from the request method, as answerable', () => {
    const err = parseError(sip(['BYE sip:b@example.com SIP/2.0', ...inviteLines(['start', 'contentType'])]))
    expect(err.message).toMatch(/does not match/)
    expect(err.partial?.method).toBe('BYE')
    expect(getHeader(err.partial!, 'call-id')).toBe('a84b4c76e66710@192.0.2.10')
  })

  it('refuses a Content-Length larger than the datagram', () => {
    const bytes = sip(inviteLines(), SDP)
    const err = parseError(bytes.subarray(0, bytes.length - 1))
    expect(err.message).toMatch(/exceeds/)
    expect(err.respondable).toBe(true)
  })

  it('refuses a header section over 16 KiB, and accepts one just under', () => {
    const pad = (n: number): string => `X-Pad: ${'a'.repeat(n)}`
    const base = sipText(inviteLines([], [pad(0)]), '', 'auto')
    const room = 16_384 - Buffer.byteLength(base)
    expect(() => parseMessage(sip(inviteLines([], [pad(room)])))).not.toThrow()
    expect(parseError(sip(inviteLines([], [pad(room + 1)]))).message).toMatch(/exceeds 16384/)
  })

  it('honours a smaller maxHeaderBytes option', () => {
    expect(() => parseMessage(sip(inviteLines(), SDP), { maxHeaderBytes: 200 })).toThrow(/exceeds 200/)
  })

  it('refuses more than 100 header lines and accepts exactly 100', () => {
    const pads = (n: number): string[] => Array.from({ length: n }, (_, i) => `X-H${i}: ${i}`)
    // inviteLines() has 8 header lines plus Content-Length: 9
    expect(() => parseMessage(sip(inviteLines([], pads(91))))).not.toThrow()
    expect(parseError(sip(inviteLines([], pads(92)))).message).toMatch(/more than 100/)
  })

  it('refuses DEL and other control characters in headers', () => {
    for (const c of ['\u0000', '\u0001', '\u001b', '\u007f', '\u000b']) {
      expect(parseError(withHeaders(`X-Bad: a${c}b`)).message).toMatch(/control character/)
    }
  })

  it('allows a tab inside a header value', () => {
    expect(getHeader(parseMessage(withHeaders('Subject: a\tb')), 'subject')).toBe('a\tb')
  })

  it('refuses duplicated From, To or CSeq', () => {
    expect(parseError(withHeaders('From: <sip:x@example.com>;tag=2')).message).toMatch(/duplicated/)
    expect(parseError(withHeaders('To: <sip:y@example.com>')).message).toMatch(/duplicated/)
    expect(parseError(withHeaders('CSeq: 314159 INVITE')).message).toMatch(/duplicated/)
  })

  it('refuses conflicting Content-Length headers', () => {
    expect(parseError(Buffer.from(sipText(inviteLines([], ['l: 3']), SDP))).message).toMatch(/conflicting Content-Length/)
  })

  it('marks an error as answerable only for a request', () => {
    const err = parseError(sip(['SIP/2.0 200 OK', ...inviteLines(['start', 'contentType']), 'Bad header line']))
    expect(err.respondable).toBe(false)
  })

  it('answers with the headers read so far in partial, with an empty body', () => {
    const err = parseError(sip(inviteLines([], ['no colon here']), SDP))
    expect(err.respondable).toBe(true)
    expect(err.partial).toMatchObject({ kind: 'request', method: 'INVITE', uri: 'sip:bob@192.0.2.20:5060' })
    expect(getHeaders(err.partial!, 'via')).toEqual([L.via.slice(5)])
    expect(err.partial!.body.length).toBe(0)
    expect(err.code).toBe('LIVECALL_ERR_SIP_PARSE')
  })
})

describe('parseMessage and serializeMessage', () => {
  it('round-trip a typical INVITE to an identical message', () => {
    const original = parseMessage(sip(inviteLines(), SDP))
    const again: SipMessage = parseMessage(serializeMessage(original))
    expect(again).toEqual(original)
  })
})
