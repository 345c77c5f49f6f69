/**
 * Broken SIP messages, as bytes. Used by the parser's unit tests and meant to be thrown at
 * the engine's real UDP and TCP sockets: none of them may crash it.
 *
 * For each sample:
 * - `respondable`: parseMessage throws a SipParseError whose `partial` is set, so a
 *   transport answers 400 (RFC 3261 §8.2.2); otherwise the message is dropped and counted.
 * - `error`: a substring of that SipParseError's message.
 * - `onStream`: what SipStreamFramer does when these bytes are the first to arrive on a TCP
 *   connection: `message` (it cuts out one message, the `bytes` themselves, which
 *   parseMessage then refuses), `stream-error` (push throws: the connection is closed),
 *   `waits` (incomplete: it keeps the bytes and returns nothing), `no-message` (returns no
 *   message; a double CRLF comes back as 'ping').
 *
 * Several samples follow RFC 4475 §3.1.2 (invalid messages): clerr, ncl, scalar02, insuf,
 * badvers, mismatch01.
 */
import { INVITE_LINES as L, SDP, inviteLines, pseudoRandomBytes, sip, sipText } from './build.js'

export interface MalformedSample {
  name: string
  bytes: Buffer
  respondable: boolean
  error: string
  onStream: 'message' | 'stream-error' | 'waits' | 'no-message'
}

const invite = sipText(inviteLines(), SDP)
const padding = (count: number, width: number): string[] =>
  Array.from({ length: count }, (_, i) => `X-Padding-${i}: ${'p'.repeat(width)}`)

export const MALFORMED: MalformedSample[] = [
  { name: 'empty datagram', bytes: Buffer.alloc(0), respondable: false, error: 'empty', onStream: 'no-message' },
  {
    name: 'only CRLFs',
    bytes: Buffer.from('\r\n\r\n\r\n'),
    respondable: false,
    error: 'only line breaks',
    onStream: 'no-message',
  },
  {
    name: 'truncated in the headers, before Call-ID',
    bytes: Buffer.from(invite.slice(0, invite.indexOf('Call-ID') + 4)),
    respondable: true,
    error: 'truncated',
    onStream: 'waits',
  },
  {
    name: 'truncated before the empty line, every mandatory header present',
    bytes: Buffer.from(invite.slice(0, invite.indexOf('Content-Type'))),
    respondable: true,
    error: 'truncated',
    onStream: 'waits',
  },
  {
    name: 'truncated in the start line',
    bytes: Buffer.from('INVITE sip:bob@192.0.2.20 SIP/2'),
    respondable: false,
    error: 'truncated',
    onStream: 'waits',
  },
  {
    name: 'start line is not SIP',
    bytes: sip(['HELLO WORLD', ...inviteLines(['start'])]),
    respondable: false,
    error: 'request line',
    onStream: 'stream-error',
  },
  {
    name: 'request line without a version',
    bytes: sip(['INVITE sip:bob@192.0.2.20', ...inviteLines(['start'])]),
    respondable: false,
    error: 'request line',
    onStream: 'stream-error',
  },
  {
    name: 'request line with SIP/7.0 (RFC 4475 badvers)',
    bytes: sip(['OPTIONS sip:t.watson@example.org SIP/7.0', ...inviteLines(['start', 'cseq'], ['CSeq: 1 OPTIONS'])]),
    respondable: false,
    error: 'version',
    onStream: 'stream-error',
  },
  {
    name: 'Request-URI without a scheme',
    bytes: sip(['INVITE bob SIP/2.0', ...inviteLines(['start'])]),
    respondable: false,
    error: 'Request-URI',
    onStream: 'stream-error',
  },
  {
    name: 'HTTP request on the SIP port',
    bytes: Buffer.from('GET / HTTP/1.1\r\nHost: 192.0.2.20\r\n\r\n'),
    respondable: false,
    error: 'version',
    onStream: 'stream-error',
  },
  {
    name: 'response with a non-numeric status',
    bytes: sip(['SIP/2.0 2OO OK', ...inviteLines(['start', 'contentType'])]),
    respondable: false,
    error: 'status',
    onStream: 'stream-error',
  },
  {
    name: 'response with status 700',
    bytes: sip(['SIP/2.0 700 Too Far', ...inviteLines(['start', 'contentType'])]),
    respondable: false,
    error: 'status',
    onStream: 'stream-error',
  },
  {
    name: 'response with a four-digit status',
    bytes: sip(['SIP/2.0 2000 OK', ...inviteLines(['start', 'contentType'])]),
    respondable: false,
    error: 'status',
    onStream: 'stream-error',
  },
  {
    name: 'response with status 99',
    bytes: sip(['SIP/2.0 99 Low', ...inviteLines(['start', 'contentType'])]),
    respondable: false,
    error: 'status',
    onStream: 'stream-error',
  },
  {
    name: 'response with SIP/3.0',
    bytes: sip(['SIP/3.0 200 OK', ...inviteLines(['start', 'contentType'])]),
    respondable: false,
    error: 'version',
    onStream: 'stream-error',
  },
  {
    name: 'missing Call-ID',
    bytes: sip(inviteLines(['callId']), SDP),
    respondable: true,
    error: 'Call-ID',
    onStream: 'message',
  },
  {
    name: 'missing CSeq',
    bytes: sip(inviteLines(['cseq']), SDP),
    respondable: true,
    error: 'CSeq',
    onStream: 'message',
  },
  {
    name: 'missing Via',
    bytes: sip(inviteLines(['via']), SDP),
    respondable: false,
    error: 'Via',
    onStream: 'message',
  },
  {
    name: 'missing From',
    bytes: sip(inviteLines(['from']), SDP),
    respondable: true,
    error: 'From',
    onStream: 'message',
  },
  {
    name: 'missing To',
    bytes: sip(inviteLines(['to']), SDP),
    respondable: true,
    error: 'To',
    onStream: 'message',
  },
  {
    name: 'only a request line and Content-Length (RFC 4475 insuf)',
    bytes: sip(['INVITE sip:user@example.com SIP/2.0']),
    respondable: false,
    error: 'missing',
    onStream: 'message',
  },
  {
    name: 'response without Call-ID',
    bytes: sip(['SIP/2.0 200 OK', ...inviteLines(['start', 'callId', 'contentType'])]),
    respondable: false,
    error: 'Call-ID',
    onStream: 'message',
  },
  {
    name: 'top Via that does not parse',
    bytes: sip(inviteLines(['via'], ['Via: this is not a via']), SDP),
    respondable: false,
    error: 'Via',
    onStream: 'message',
  },
  {
    name: 'CSeq method differs from the request method (RFC 4475 mismatch01)',
    bytes: sip(inviteLines(['cseq'], ['CSeq: 314159 BYE']), SDP),
    respondable: true,
    error: 'does not match',
    onStream: 'message',
  },
  {
    name: 'ACK with a CSeq of another method (never answered, RFC 3261 §17.1.1.3)',
    bytes: sip(['ACK sip:bob@192.0.2.20:5060 SIP/2.0', ...inviteLines(['start', 'contentType'])]),
    respondable: false,
    error: 'does not match',
    onStream: 'message',
  },
  {
    name: 'non-numeric CSeq',
    bytes: sip(inviteLines(['cseq'], ['CSeq: abc INVITE']), SDP),
    respondable: true,
    error: 'CSeq',
    onStream: 'message',
  },
  {
    name: 'CSeq above 2**31 (RFC 4475 scalar02)',
    bytes: sip(inviteLines(['cseq'], ['CSeq: 36893488147419103232 INVITE']), SDP),
    respondable: true,
    error: 'CSeq',
    onStream: 'message',
  },
  {
    name: 'two different Call-IDs',
    bytes: sip(inviteLines([], ['Call-ID: another@192.0.2.10']), SDP),
    respondable: true,
    error: 'duplicated',
    onStream: 'message',
  },
  {
    name: 'Content-Length larger than the body (RFC 4475 clerr)',
    bytes: Buffer.from(sipText(inviteLines(), SDP, 'none').replace('\r\n\r\n', `\r\nContent-Length: 9999\r\n\r\n`)),
    respondable: true,
    error: 'exceeds',
    onStream: 'waits',
  },
  {
    name: 'negative Content-Length (RFC 4475 ncl)',
    bytes: Buffer.from(sipText(inviteLines(), SDP, 'none').replace('\r\n\r\n', `\r\nContent-Length: -999\r\n\r\n`)),
    respondable: true,
    error: 'Content-Length',
    onStream: 'stream-error',
  },
  {
    name: 'non-numeric Content-Length',
    bytes: Buffer.from(sipText(inviteLines(), SDP, 'none').replace('\r\n\r\n', `\r\nl: ten\r\n\r\n`)),
    respondable: true,
    error: 'Content-Length',
    onStream: 'stream-error',
  },
  {
    name: 'header line without a colon',
    bytes: sip(inviteLines([], ['This line has no colon']), SDP),
    respondable: true,
    error: 'colon',
    onStream: 'message',
  },
  {
    name: 'header name with a space in it',
    bytes: sip(inviteLines([], ['User Agent: softphone']), SDP),
    respondable: true,
    error: 'header name',
    onStream: 'message',
  },
  {
    name: 'continuation line right after the start line',
    bytes: sip([L.start, ' folded onto nothing', ...inviteLines(['start'])], SDP),
    respondable: true,
    error: 'continuation',
    onStream: 'message',
  },
  {
    name: 'NUL byte in a header value',
    bytes: sip(inviteLines([], ['User-Agent: soft\u0000phone']), SDP),
    respondable: true,
    error: 'control character',
    onStream: 'message',
  },
  {
    name: 'NUL bytes in the start line',
    bytes: sip(['INVITE sip:bob@192.0.2.20\u0000\u0000 SIP/2.0', ...inviteLines(['start'])], SDP),
    respondable: false,
    error: 'control character',
    onStream: 'stream-error',
  },
  {
    name: 'lone CR inside a header line',
    bytes: sip(inviteLines([], ['Subject: one\rtwo']), SDP),
    respondable: true,
    error: 'control character',
    onStream: 'message',
  },
  {
    name: 'invalid UTF-8 in a header value',
    bytes: Buffer.concat([
      Buffer.from(`${inviteLines().join('\r\n')}\r\nSubject: `),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(`\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`),
    ]),
    respondable: true,
    error: 'UTF-8',
    onStream: 'message',
  },
  {
    name: 'binary junk',
    bytes: pseudoRandomBytes(600),
    respondable: false,
    error: 'control character',
    onStream: 'stream-error',
  },
  {
    name: 'TLS ClientHello on the plain SIP port',
    bytes: Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03]), pseudoRandomBytes(160, 7)]),
    respondable: false,
    error: 'control character',
    onStream: 'stream-error',
  },
  {
    name: 'header section over 16 KiB, mandatory headers first',
    bytes: sip(inviteLines([], padding(80, 200)), SDP),
    respondable: true,
    error: 'exceeds 16384',
    onStream: 'stream-error',
  },
  {
    name: 'header section over 16 KiB, Call-ID after the padding',
    bytes: sip([...inviteLines(['callId']), ...padding(80, 200), L.callId], SDP),
    respondable: true,
    error: 'exceeds 16384',
    onStream: 'stream-error',
  },
  {
    name: 'one 20 KiB header value',
    bytes: sip(inviteLines([], [`X-Huge: ${'h'.repeat(20_000)}`]), SDP),
    respondable: true,
    error: 'exceeds 16384',
    onStream: 'stream-error',
  },
  {
    name: 'more than 100 header lines',
    bytes: sip(inviteLines([], padding(100, 4)), SDP),
    respondable: true,
    error: 'more than 100',
    onStream: 'message',
  },
]
