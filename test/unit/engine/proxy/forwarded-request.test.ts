import { describe, expect, it } from 'vitest'
import { LocalAddress } from '../../../../src/engine/core/local-address.js'
import { getHeaders, parseMessage, serializeMessage, type SipRequest } from '../../../../src/engine/message/index.js'
import { branchCancel, forwardedRequest } from '../../../../src/engine/proxy/forwarded-request.js'

const local = new LocalAddress('127.0.0.1', 5070)

function invite(uri: string, extra = ''): SipRequest {
  return parseMessage(Buffer.from(
    `INVITE ${uri} SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKcaller\r\nMax-Forwards: 10\r\n` +
    `From: <sip:a@10.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1:5070>\r\nCall-ID: c1\r\nCSeq: 7 INVITE\r\n${extra}Content-Length: 0\r\n\r\n`,
  )) as SipRequest
}

describe('the request of a proxy branch (RFC 3261 §16.6)', () => {
  const opts = { local, target: 'sip:10.0.0.9:5080', protocol: 'udp' as const, branch: 'z9hG4bKours', recordRoute: true, headers: [] }

  it('our Via on top, Max-Forwards decremented, our Record-Route, the Request-URI that named us replaced', () => {
    const req = forwardedRequest(invite('sip:b@127.0.0.1:5070'), opts)
    expect(req.uri).toBe('sip:10.0.0.9:5080')
    expect(getHeaders(req, 'via')).toEqual(['SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKours;rport', 'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKcaller'])
    expect(getHeaders(req, 'max-forwards')).toEqual(['9'])
    expect(getHeaders(req, 'record-route')).toEqual(['<sip:127.0.0.1:5070;lr>'])
  })

  it('a Request-URI naming someone else is kept (drachtio-server sends to the destination as next hop)', () => {
    expect(forwardedRequest(invite('sip:b@example.com'), opts).uri).toBe('sip:b@example.com')
  })

  it('over TCP the Record-Route says so; without the option there is none; the app\'s headers replace ours', () => {
    const tcp = forwardedRequest(invite('sip:b@127.0.0.1:5070', 'Subject: old\r\n'), { ...opts, protocol: 'tcp', headers: [{ name: 'subject', value: 'new' }] })
    expect(getHeaders(tcp, 'record-route')).toEqual(['<sip:127.0.0.1:5070;transport=tcp;lr>'])
    expect(getHeaders(tcp, 'subject')).toEqual(['new'])
    expect(getHeaders(forwardedRequest(invite('sip:b@127.0.0.1:5070'), { ...opts, recordRoute: false }), 'record-route')).toEqual([])
  })

  it('a request without Max-Forwards gets 70', () => {
    const req = invite('sip:b@127.0.0.1:5070')
    req.headers = req.headers.filter((h) => h.name !== 'max-forwards')
    expect(getHeaders(forwardedRequest(req, opts), 'max-forwards')).toEqual(['70'])
  })

  it('the CANCEL of a branch carries its Request-URI, top Via and CSeq number (§9.1)', () => {
    const cancel = branchCancel(forwardedRequest(invite('sip:b@127.0.0.1:5070'), opts))
    const text = serializeMessage(cancel).toString()
    expect(text.startsWith('CANCEL sip:10.0.0.9:5080 SIP/2.0\r\n')).toBe(true)
    expect(getHeaders(cancel, 'via')).toEqual(['SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKours;rport'])
    expect(getHeaders(cancel, 'cseq')).toEqual(['7 CANCEL'])
  })
})
