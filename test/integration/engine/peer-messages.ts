import { randomBytes } from 'node:crypto'
import { getHeader, getHeaders, parseNameAddr, type SipMessage } from '../../../src/engine/message/index.js'

export const SDP = ['v=0', 'o=peer 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n')

const rnd = () => randomBytes(5).toString('hex')

/** What identifies one call of the raw UDP peer. */
export interface PeerCall {
  peerPort: number
  sipPort: number
  callId: string
  fromTag: string
  branch: string
}

export function newCall(peerPort: number, sipPort: number): PeerCall {
  return { peerPort, sipPort, callId: `${rnd()}@127.0.0.1`, fromTag: rnd(), branch: `z9hG4bK${rnd()}` }
}

function message(startLine: string, headers: string[], body = ''): string {
  return [startLine, ...headers, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n')
}

function via(c: PeerCall, branch = c.branch): string {
  return `Via: SIP/2.0/UDP 127.0.0.1:${c.peerPort};branch=${branch};rport`
}

export function invite(c: PeerCall, opts: { toTag?: string; cseq?: number; branch?: string; headers?: string[] } = {}): string {
  return message(
    `INVITE sip:service@127.0.0.1:${c.sipPort} SIP/2.0`,
    [
      via(c, opts.branch),
      'Max-Forwards: 70',
      `From: <sip:caller@127.0.0.1:${c.peerPort}>;tag=${c.fromTag}`,
      `To: <sip:service@127.0.0.1:${c.sipPort}>${opts.toTag ? `;tag=${opts.toTag}` : ''}`,
      `Call-ID: ${c.callId}`,
      `CSeq: ${opts.cseq ?? 1} INVITE`,
      `Contact: <sip:caller@127.0.0.1:${c.peerPort}>`,
      ...(opts.headers ?? []),
      'Content-Type: application/sdp',
    ],
    SDP,
  )
}

/** CANCEL of the INVITE: same branch and sent-by (RFC 3261 §9.1). */
export function cancel(c: PeerCall): string {
  return message(`CANCEL sip:service@127.0.0.1:${c.sipPort} SIP/2.0`, [
    via(c),
    'Max-Forwards: 70',
    `From: <sip:caller@127.0.0.1:${c.peerPort}>;tag=${c.fromTag}`,
    `To: <sip:service@127.0.0.1:${c.sipPort}>`,
    `Call-ID: ${c.callId}`,
    'CSeq: 1 CANCEL',
  ])
}

/**
 * ACK of a final response to an INVITE: for a non-2xx the INVITE's branch (§17.1.1.3),
 * for a 2xx a new one sent to the Contact (§13.2.2.4). `cseq` is the INVITE's.
 */
export function ackFor(c: PeerCall, res: SipMessage, opts: { cseq?: number; branch?: string } = {}): string {
  const status = res.kind === 'response' ? res.status : 0
  const is2xx = status >= 200 && status < 300
  const contact = getHeader(res, 'contact')
  const uri = is2xx && contact ? parseNameAddr(contact).uri : `sip:service@127.0.0.1:${c.sipPort}`
  return message(`ACK ${uri} SIP/2.0`, [
    via(c, opts.branch ?? (is2xx ? `z9hG4bK${rnd()}` : c.branch)),
    'Max-Forwards: 70',
    `From: <sip:caller@127.0.0.1:${c.peerPort}>;tag=${c.fromTag}`,
    `To: ${getHeader(res, 'to')}`,
    `Call-ID: ${c.callId}`,
    `CSeq: ${opts.cseq ?? 1} ACK`,
  ])
}

/** A request inside the dialog the peer is UAC of (To carries the engine's tag). */
export function inDialog(c: PeerCall, method: string, toHeader: string, cseq: number, extra: string[] = [], body = ''): string {
  return message(`${method} sip:service@127.0.0.1:${c.sipPort} SIP/2.0`, [
    via(c, `z9hG4bK${rnd()}`),
    'Max-Forwards: 70',
    `From: <sip:caller@127.0.0.1:${c.peerPort}>;tag=${c.fromTag}`,
    `To: ${toHeader}`,
    `Call-ID: ${c.callId}`,
    `CSeq: ${cseq} ${method}`,
    ...extra,
  ], body)
}

export function options(c: PeerCall): string {
  return message(`OPTIONS sip:service@127.0.0.1:${c.sipPort} SIP/2.0`, [
    via(c),
    'Max-Forwards: 70',
    `From: <sip:caller@127.0.0.1:${c.peerPort}>;tag=${c.fromTag}`,
    `To: <sip:service@127.0.0.1:${c.sipPort}>`,
    `Call-ID: ${c.callId}`,
    'CSeq: 1 OPTIONS',
  ])
}

/** The peer's answer to a request it received: Vias, From, To (+tag), Call-ID, CSeq copied (§8.2.6.2). */
export function answer(req: SipMessage, status: number, reason: string, opts: { toTag?: string; contact?: string; body?: string } = {}): string {
  const headers = [
    ...getHeaders(req, 'via').map((v) => `Via: ${v}`),
    ...getHeaders(req, 'record-route').map((v) => `Record-Route: ${v}`),
    `From: ${getHeader(req, 'from')}`,
    `To: ${getHeader(req, 'to')}${opts.toTag && !(getHeader(req, 'to') ?? '').includes('tag=') ? `;tag=${opts.toTag}` : ''}`,
    `Call-ID: ${getHeader(req, 'call-id')}`,
    `CSeq: ${getHeader(req, 'cseq')}`,
  ]
  if (opts.contact) headers.push(`Contact: ${opts.contact}`)
  if (opts.body) headers.push('Content-Type: application/sdp')
  return message(`SIP/2.0 ${status} ${reason}`, headers, opts.body ?? '')
}
