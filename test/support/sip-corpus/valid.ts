/**
 * Odd but legal SIP messages, as bytes, with what a parser must read from them. Several
 * follow RFC 4475 §3.1.1 (valid messages): wsinv, intmeth, lwsdisp, semiuri, unreason,
 * noreason, dblreq. Reusable over real sockets: each must be accepted.
 */
import { INVITE_LINES as L, SDP, inviteLines, sip } from './build.js'

export interface ValidSample {
  name: string
  bytes: Buffer
  expect: {
    kind: 'request' | 'response'
    method?: string
    status?: number
    callId: string
    /** number of Via entries after list splitting */
    vias: number
    bodyBytes: number
  }
}

const crlf = (lines: string[]): string => lines.join('\r\n')

const WSINV_BODY = crlf([
  'v=0',
  'o=mhandley 29739 7272939 IN IP4 192.0.2.3',
  's=-',
  'c=IN IP4 192.0.2.4',
  't=0 0',
  'm=audio 49217 RTP/AVP 0 12',
  'm=video 3227 RTP/AVP 31',
  'a=rtpmap:31 LPC',
  '',
])

/** RFC 4475 §3.1.1.1: a short tortuous INVITE (folding, odd whitespace, compact forms, escapes). */
export const WSINV = Buffer.from(
  crlf([
    'INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0',
    'TO :',
    ' sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n',
    String.raw`from   : "J Rosenberg \\\""       <sip:jdrosen@example.com>`,
    '  ;',
    '  tag = 98asjd8',
    'MaX-fOrWaRdS: 0068',
    'Call-ID: wsinv.ndaksdj@192.0.2.1',
    'Content-Length   : 150',
    'cseq: 0009',
    '  INVITE',
    'Via  : SIP  /   2.0',
    ' /UDP',
    '    192.0.2.2;branch=390skdjuw',
    's :',
    'NewFangledHeader:   newfangled value',
    ' continued newfangled value',
    'UnknownHeaderWithUnusualValue: ;;,,;;,;',
    'Content-Type: application/sdp',
    'Route:',
    ' <sip:services.example.com;lr;unknownwith=value;unknown-no-value>',
    'v:  SIP  / 2.0  / TCP     spindle.example.com   ;',
    '  branch  =   z9hG4bK9ikj8  ,',
    ' SIP  /    2.0   / UDP  192.168.255.111   ; branch=',
    ' z9hG4bK30239',
    String.raw`m:"Quoted string \"\"" <sip:jdrosen@example.com> ; newparam =`,
    '      newvalue ;',
    '  secondparam ; q = 0.33',
    '',
    WSINV_BODY,
  ]),
)

const INTMETH_METHOD = "!interesting-Method0123456789_*+`.%indeed'~"

export const VALID: ValidSample[] = [
  {
    name: 'typical INVITE with SDP',
    bytes: sip(inviteLines(), SDP),
    expect: { kind: 'request', method: 'INVITE', callId: 'a84b4c76e66710@192.0.2.10', vias: 1, bodyBytes: SDP.length },
  },
  {
    name: 'RFC 4475 wsinv (tortuous INVITE)',
    bytes: WSINV,
    expect: { kind: 'request', method: 'INVITE', callId: 'wsinv.ndaksdj@192.0.2.1', vias: 3, bodyBytes: 150 },
  },
  {
    name: 'RFC 4475 intmeth (unusual method and Request-URI characters)',
    bytes: sip([
      `${INTMETH_METHOD} sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com SIP/2.0`,
      'Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+`\'~',
      "To: sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com",
      'From: <sip:mundane@example.com>;fromParam\'\'~+*_!.-%="\u0440\u0430\u0431\u043e\u0442\u0430\u044e\u0449\u0438\u0439";tag=_token~1\'+`*%!-.',
      'Call-ID: intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{',
      `CSeq: 139122385 ${INTMETH_METHOD}`,
      'Max-Forwards: 255',
    ]),
    expect: { kind: 'request', method: INTMETH_METHOD, callId: 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{', vias: 1, bodyBytes: 0 },
  },
  {
    name: 'RFC 4475 lwsdisp (no space between display name and <)',
    bytes: sip([
      'OPTIONS sip:user@example.com SIP/2.0',
      'To: sip:user@example.com',
      'From: caller<sip:caller@example.com>;tag=323',
      'Max-Forwards: 70',
      'Call-ID: lwsdisp.1234abcd@funky.example.com',
      'CSeq: 60 OPTIONS',
      'Via: SIP/2.0/UDP funky.example.com;branch=z9hG4bKkdjuw',
    ]),
    expect: { kind: 'request', method: 'OPTIONS', callId: 'lwsdisp.1234abcd@funky.example.com', vias: 1, bodyBytes: 0 },
  },
  {
    name: 'RFC 4475 semiuri (semicolon in the user part)',
    bytes: sip([
      'OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0',
      'To: sip:j_user@example.com',
      'From: sip:caller@example.org;tag=33242',
      'Max-Forwards: 3',
      'Call-ID: semiuri.0ha0isndaksdj',
      'CSeq: 8 OPTIONS',
      'Accept: application/sdp, application/pkcs7-mime,',
      '        multipart/mixed, multipart/signed,',
      '        message/sip, message/sipfrag',
      'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKkdjuw',
    ]),
    expect: { kind: 'request', method: 'OPTIONS', callId: 'semiuri.0ha0isndaksdj', vias: 1, bodyBytes: 0 },
  },
  {
    name: 'RFC 4475 unreason (UTF-8 reason phrase)',
    bytes: sip([
      'SIP/2.0 200 = 2**3 * 5**2 \u043d\u043e \u0441\u0442\u043e \u0434\u0435\u0432\u044f\u043d\u043e\u0441\u0442\u043e \u0434\u0435\u0432\u044f\u0442\u044c - \u043f\u0440\u043e\u0441\u0442\u043e\u0435',
      'Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923',
      'Call-ID: unreason.1234ksdfak3j2erwedfsASdf',
      'CSeq: 35 INVITE',
      'From: sip:user@example.com;tag=11141343',
      'To: sip:user@example.edu;tag=2229',
      'Content-Type: application/sdp',
      'Contact: <sip:user@host198.example.com>',
    ], SDP),
    expect: { kind: 'response', status: 200, callId: 'unreason.1234ksdfak3j2erwedfsASdf', vias: 1, bodyBytes: SDP.length },
  },
  {
    name: 'RFC 4475 noreason (empty reason phrase)',
    bytes: sip([
      'SIP/2.0 100 ',
      'Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe',
      'Call-ID: noreason.asndj203insdf99223ndf',
      'CSeq: 35 INVITE',
      'From: <sip:user@example.com>;tag=39ansfi3',
      'To: <sip:user@example.edu>;tag=902jndnke3',
    ]),
    expect: { kind: 'response', status: 100, callId: 'noreason.asndj203insdf99223ndf', vias: 1, bodyBytes: 0 },
  },
  {
    name: 'RFC 4475 dblreq (a second request after Content-Length bytes is ignored on UDP)',
    bytes: Buffer.concat([
      sip(['REGISTER sip:example.com SIP/2.0', 'To: sip:j.user@example.com', 'From: sip:j.user@example.com;tag=43251j3j324',
        'Max-Forwards: 8', 'I: dblreq.0ha0isndaksdj99sdfafnl3lk233412', 'Contact: sip:j.user@host.example.com',
        'CSeq: 8 REGISTER', 'Via: SIP/2.0/UDP 192.0.2.125;branch=z9hG4bKkdjuw23492']),
      sip(['INVITE sip:joe@example.com SIP/2.0', L.via, L.from, L.to, 'Call-ID: second', 'CSeq: 1 INVITE']),
    ]),
    expect: { kind: 'request', method: 'REGISTER', callId: 'dblreq.0ha0isndaksdj99sdfafnl3lk233412', vias: 1, bodyBytes: 0 },
  },
  {
    name: 'compact forms everywhere',
    bytes: sip([
      'INVITE sip:bob@example.com SIP/2.0',
      'v: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKc1',
      'f: <sip:alice@example.com>;tag=c1',
      't: <sip:bob@example.com>',
      'i: compact@192.0.2.10',
      'CSeq: 1 INVITE',
      'm: <sip:alice@192.0.2.10>',
      'c: application/sdp',
      'k: timer, 100rel',
      'x: 1800;refresher=uac',
    ], SDP),
    expect: { kind: 'request', method: 'INVITE', callId: 'compact@192.0.2.10', vias: 1, bodyBytes: SDP.length },
  },
  {
    name: 'LF-only line endings',
    bytes: Buffer.from(
      `${inviteLines().join('\n')}\nContent-Length: ${SDP.length}\n\n${SDP}`,
    ),
    expect: { kind: 'request', method: 'INVITE', callId: 'a84b4c76e66710@192.0.2.10', vias: 1, bodyBytes: SDP.length },
  },
  {
    name: 'IPv6 Via, Contact and Request-URI',
    bytes: sip([
      'INVITE sip:bob@[2001:db8::20]:5060 SIP/2.0',
      'Via: SIP/2.0/UDP [2001:db8::10]:5070;branch=z9hG4bKv6;rport;received=2001:db8::10',
      'From: <sip:alice@[2001:db8::10]>;tag=v6',
      'To: <sip:bob@[2001:db8::20]>',
      'Call-ID: v6@2001:db8::10',
      'CSeq: 2 INVITE',
      'Contact: <sip:alice@[2001:db8::10]:5070;transport=udp>',
    ]),
    expect: { kind: 'request', method: 'INVITE', callId: 'v6@2001:db8::10', vias: 1, bodyBytes: 0 },
  },
  {
    name: 'REGISTER removing all bindings (Contact: *)',
    bytes: sip([
      'REGISTER sip:example.com SIP/2.0',
      'Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bKreg',
      'From: <sip:alice@example.com>;tag=r1',
      'To: <sip:alice@example.com>',
      'Call-ID: reg@192.0.2.10',
      'CSeq: 3 REGISTER',
      'Contact: *',
      'Expires: 0',
    ]),
    expect: { kind: 'request', method: 'REGISTER', callId: 'reg@192.0.2.10', vias: 1, bodyBytes: 0 },
  },
  {
    name: '200 OK with three Vias on one line and a Record-Route list',
    bytes: sip([
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1, SIP/2.0/UDP 192.0.2.30;branch=z9hG4bKp2;received=192.0.2.31,SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport=5060',
      'Record-Route: <sip:proxy.example.com;lr>, <sip:192.0.2.30;lr;ftag=x,y>',
      L.from,
      'To: Bob <sip:bob@example.com>;tag=a6c85cf',
      L.callId,
      L.cseq,
      'Contact: "Bob, the builder" <sip:bob@192.0.2.20>',
      L.contentType,
    ], SDP),
    expect: { kind: 'response', status: 200, callId: 'a84b4c76e66710@192.0.2.10', vias: 3, bodyBytes: SDP.length },
  },
  {
    name: 'ACK without Content-Length on UDP (body is the rest of the datagram)',
    bytes: sip([
      'ACK sip:bob@192.0.2.20:5060 SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKack',
      'Max-Forwards: 70',
      'To: Bob <sip:bob@example.com>;tag=a6c85cf',
      L.from,
      L.callId,
      'CSeq: 314159 ACK',
    ], '', 'none'),
    expect: { kind: 'request', method: 'ACK', callId: 'a84b4c76e66710@192.0.2.10', vias: 1, bodyBytes: 0 },
  },
  {
    name: 'leading CRLFs before the start line',
    bytes: Buffer.concat([Buffer.from('\r\n\r\n'), sip(inviteLines(), SDP)]),
    expect: { kind: 'request', method: 'INVITE', callId: 'a84b4c76e66710@192.0.2.10', vias: 1, bodyBytes: SDP.length },
  },
]
