import { describe, expect, it } from 'vitest'
import {
  canonicalName,
  parseMessage,
  serializeMessage,
  type SipRequest,
  type SipResponse,
} from '../../../../src/engine/message/index.js'
import { SDP, inviteLines, sip } from '../../../support/sip-corpus/build.js'

function request(headers: Array<[string, string]>, body = ''): SipRequest {
  return {
    kind: 'request',
    method: 'OPTIONS',
    uri: 'sip:bob@192.0.2.20',
    headers: headers.map(([name, value]) => ({ name: canonicalName(name), value })),
    body: Buffer.from(body),
  }
}

describe('serializeMessage', () => {
  it('writes the request line, the headers in order, Content-Length, an empty line and the body', () => {
    const msg = request([['via', 'SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1'], ['call-id', 'abc'], ['cseq', '1 OPTIONS']], 'hello')
    expect(serializeMessage(msg).toString()).toBe(
      'OPTIONS sip:bob@192.0.2.20 SIP/2.0\r\n' +
        'Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1\r\n' +
        'Call-ID: abc\r\n' +
        'CSeq: 1 OPTIONS\r\n' +
        'Content-Length: 5\r\n' +
        '\r\n' +
        'hello',
    )
  })

  it('writes a status line', () => {
    const res: SipResponse = { kind: 'response', status: 180, reason: 'Ringing', headers: [], body: Buffer.alloc(0) }
    expect(serializeMessage(res).toString()).toBe('SIP/2.0 180 Ringing\r\nContent-Length: 0\r\n\r\n')
  })

  it('uses the usual spelling of known headers and expands compact forms', () => {
    const names = ['v', 'f', 't', 'i', 'CSEQ', 'm', 'c', 'max-forwards', 'record-route', 'route', 'www-authenticate',
      'proxy-authorization', 'rack', 'rseq', 'min-se', 'sip-etag', 'p-asserted-identity', 'k', 'x', 'user-agent']
    const text = serializeMessage(request(names.map((n) => [n, 'x']))).toString()
    expect(text.split('\r\n').slice(1, names.length + 1).map((l) => l.slice(0, l.indexOf(':')))).toEqual([
      'Via', 'From', 'To', 'Call-ID', 'CSeq', 'Contact', 'Content-Type', 'Max-Forwards', 'Record-Route', 'Route',
      'WWW-Authenticate', 'Proxy-Authorization', 'RAck', 'RSeq', 'Min-SE', 'SIP-ETag', 'P-Asserted-Identity',
      'Supported', 'Session-Expires', 'User-Agent',
    ])
  })

  it('capitalises unknown header names after each dash', () => {
    const text = serializeMessage(request([['x-my-custom-header', '1'], ['foo', '2']])).toString()
    expect(text).toContain('\r\nX-My-Custom-Header: 1\r\n')
    expect(text).toContain('\r\nFoo: 2\r\n')
  })

  it('replaces a wrong Content-Length in place and never writes two', () => {
    const msg = request([['content-length', '999'], ['call-id', 'a'], ['l', '5']], 'four')
    const text = serializeMessage(msg).toString()
    expect(text.match(/Content-Length/g)).toHaveLength(1)
    expect(text).toContain('OPTIONS sip:bob@192.0.2.20 SIP/2.0\r\nContent-Length: 4\r\nCall-ID: a\r\n\r\nfour')
  })

  it('counts Content-Length in bytes, and encodes UTF-8 header values', () => {
    const msg = request([['subject', 'Grüße']], 'é')
    const wire = serializeMessage(msg)
    expect(wire.toString()).toContain('Content-Length: 2\r\n')
    expect(wire.toString()).toContain('Subject: Grüße\r\n')
    expect(wire.subarray(wire.length - 2).toString()).toBe('é')
  })

  it('keeps binary bodies intact', () => {
    const body = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a, 0x0d, 0x0a])
    const msg: SipRequest = { ...request([]), body }
    expect(serializeMessage(msg).subarray(-body.length).equals(body)).toBe(true)
  })

  it('turns line breaks inside a value into spaces so no header can be injected', () => {
    const text = serializeMessage(request([['subject', 'hi\r\nBYE sip:x SIP/2.0'], ['x-a', 'one\ntwo']])).toString()
    expect(text).toContain('Subject: hi BYE sip:x SIP/2.0\r\n')
    expect(text).toContain('X-A: one two\r\n')
  })

  it('writes one line per entry of a split list header', () => {
    const msg = parseMessage(sip(inviteLines([], ['Allow: INVITE, ACK, BYE']), SDP))
    expect(serializeMessage(msg).toString()).toContain('Allow: INVITE\r\nAllow: ACK\r\nAllow: BYE\r\n')
  })
})
