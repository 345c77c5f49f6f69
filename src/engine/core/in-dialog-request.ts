import type { SipHeader, SipRequest } from '../message/index.js'
import type { Dialog } from '../dialog/dialog.js'
import { newBranch } from '../transaction/transaction-keys.js'
import type { Peer } from '../transport/peer.js'
import type { LocalAddress } from './local-address.js'

/**
 * A request inside a dialog, RFC 3261 §12.2.1.1: Request-URI = remote target, From/To
 * with both tags, the dialog's Call-ID, the given CSeq, the route set as Route headers,
 * and a fresh Via branch.
 */
export function inDialogRequest(
  dialog: Dialog,
  local: LocalAddress,
  dest: Peer,
  method: string,
  seq: number,
  extra: SipHeader[] = [],
  body: Buffer = Buffer.alloc(0),
): SipRequest {
  return {
    kind: 'request',
    method,
    uri: dialog.remoteTarget,
    headers: [
      { name: 'via', value: local.via(dest.protocol, newBranch()) },
      { name: 'max-forwards', value: '70' },
      { name: 'from', value: dialog.local },
      { name: 'to', value: dialog.remote },
      { name: 'call-id', value: dialog.callId },
      { name: 'cseq', value: `${seq} ${method}` },
      ...dialog.routeSet.map((r) => ({ name: 'route', value: r })),
      ...extra,
    ],
    body,
  }
}
