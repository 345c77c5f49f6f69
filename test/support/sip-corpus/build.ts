/**
 * Small builders for corpus messages: lines joined with CRLF, an empty line, the body.
 * `contentLength: 'auto'` (default) appends a correct Content-Length header.
 */
export const SDP = [
  'v=0',
  'o=- 2890844526 2890844526 IN IP4 192.0.2.10',
  's=-',
  'c=IN IP4 192.0.2.10',
  't=0 0',
  'm=audio 49170 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=sendrecv',
  '',
].join('\r\n')

export function sipText(lines: string[], body = '', contentLength: 'auto' | 'none' = 'auto'): string {
  const all = contentLength === 'auto' ? [...lines, `Content-Length: ${Buffer.byteLength(body)}`] : lines
  return `${all.join('\r\n')}\r\n\r\n${body}`
}

export function sip(lines: string[], body = '', contentLength: 'auto' | 'none' = 'auto'): Buffer {
  return Buffer.from(sipText(lines, body, contentLength), 'utf8')
}

/** The headers of a typical INVITE from a UAC at 192.0.2.10, each as one line. */
export const INVITE_LINES = {
  start: 'INVITE sip:bob@192.0.2.20:5060 SIP/2.0',
  via: 'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport',
  maxForwards: 'Max-Forwards: 70',
  to: 'To: Bob <sip:bob@example.com>',
  from: 'From: Alice <sip:alice@example.com>;tag=1928301774',
  callId: 'Call-ID: a84b4c76e66710@192.0.2.10',
  cseq: 'CSeq: 314159 INVITE',
  contact: 'Contact: <sip:alice@192.0.2.10:5060>',
  contentType: 'Content-Type: application/sdp',
} as const

/** The INVITE_LINES in order, minus the ones named in `without`, plus `extra` lines at the end. */
export function inviteLines(without: Array<keyof typeof INVITE_LINES> = [], extra: string[] = []): string[] {
  const lines = (Object.keys(INVITE_LINES) as Array<keyof typeof INVITE_LINES>)
    .filter((k) => !without.includes(k))
    .map((k) => INVITE_LINES[k])
  return [...lines, ...extra]
}

/** Deterministic pseudo-random bytes (xorshift32), so the corpus is the same on every run. */
export function pseudoRandomBytes(length: number, seed = 0x5eed): Buffer {
  const out = Buffer.alloc(length)
  let x = seed >>> 0
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    out[i] = x & 0xff
  }
  return out
}
