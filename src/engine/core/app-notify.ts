import type { Peer } from '../transport/peer.js'
import type { AppSession } from '../wire/app-session.js'
import { meta6 } from '../wire/wire-meta.js'

/**
 * `sip|<meta6>|<txnId>|<dialogId>|[<recvAddr>|<recvPort>|]` + SIP (drachtio-protocol.md §A.3.1):
 * how every message from the network reaches an app.
 */
export function notifyApp(
  session: AppSession,
  raw: Buffer,
  peer: Peer,
  txnId: string,
  dialogId: string,
  receivedOn?: { host: string; port: number },
  source: 'network' | 'application' = 'network',
): void {
  const tail = receivedOn ? `|${receivedOn.host}|${receivedOn.port}|` : '|'
  session.send(`sip|${meta6(source, raw.length, peer)}|${txnId}|${dialogId}${tail}`, raw)
}
