import { buildMessage, header, newBranch, newTag, uriOf } from './sip-message.js'

/**
 * The requests of a caller over TLS (RFC 3261 §26.2: Via TLS, sips: Contact), for
 * TlsSipPeer: the INVITE, and the in-dialog ACK / BYE built from it and its 200.
 */

/** An INVITE from the TLS peer to `serverPort` on 127.0.0.1, over the peer's connection from `localPort`. */
export function tlsInvite(serverPort: number, localPort: number, sdp: string, callId = `${newTag()}@tls-peer`): string {
  return buildMessage(
    `INVITE sips:service@127.0.0.1:${serverPort} SIP/2.0`,
    [
      `Via: SIP/2.0/TLS 127.0.0.1:${localPort};branch=${newBranch()};rport`,
      'Max-Forwards: 70',
      `From: <sips:alice@127.0.0.1:${localPort}>;tag=${newTag()}`,
      `To: <sips:service@127.0.0.1:${serverPort}>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      `Contact: <sips:alice@127.0.0.1:${localPort};transport=tls>`,
    ],
    sdp,
  )
}

/** An in-dialog request from the peer (ACK or BYE), built from our INVITE and its 200. */
export function tlsInDialog(method: 'ACK' | 'BYE', invite: string, ok: string, localPort: number, seq: number): string {
  return buildMessage(
    `${method} ${uriOf(header(ok, 'Contact'))} SIP/2.0`,
    [
      `Via: SIP/2.0/TLS 127.0.0.1:${localPort};branch=${newBranch()};rport`,
      'Max-Forwards: 70',
      `From: ${header(invite, 'From')}`,
      `To: ${header(ok, 'To')}`,
      `Call-ID: ${header(invite, 'Call-ID')}`,
      `CSeq: ${seq} ${method}`,
    ],
  )
}
