import type { SipHeader, SipRequest } from '../message/index.js'
import type { LocalAddress } from '../core/local-address.js'
import type { Protocol } from '../transport/peer.js'
import { recordRouteValue, uriNamesUs } from './record-route.js'

export interface ForwardOptions {
  local: LocalAddress
  /** the destination this branch goes to (a SIP URI) */
  target: string
  /** the transport the request leaves on */
  protocol: Protocol
  branch: string
  recordRoute: boolean
  /** the app's `opts.headers` */
  headers: readonly SipHeader[]
}

/**
 * The request of one branch, RFC 3261 §16.6: a copy of the received request with
 * 1. the Request-URI set to the destination when it named us (drachtio-server keeps a
 *    Request-URI that names someone else and sends to the destination as next hop),
 * 2. Max-Forwards decremented, or 70 when absent (step 3),
 * 3. our Record-Route on top when asked (step 4; a REGISTER gets `Path` and
 *    `Require: path` instead, RFC 3327, as drachtio-server does),
 * 4. the app's headers, each replacing the received ones of its name,
 * 5. our Via on top with this branch's id (step 8).
 */
export function forwardedRequest(received: SipRequest, opts: ForwardOptions): SipRequest {
  let headers: SipHeader[] = received.headers.map((h) => ({ name: h.name, value: h.value }))
  const mf = headers.find((h) => h.name === 'max-forwards')
  if (mf) mf.value = String(Math.max(0, Number.parseInt(mf.value, 10) - 1))
  else headers.push({ name: 'max-forwards', value: '70' })
  const replaced = new Set(opts.headers.map((h) => h.name))
  if (replaced.size > 0) headers = headers.filter((h) => !replaced.has(h.name))
  headers.push(...opts.headers.map((h) => ({ name: h.name, value: h.value })))
  if (opts.recordRoute) {
    const rr = recordRouteValue(opts.local, opts.protocol)
    if (received.method === 'REGISTER') {
      headers.unshift({ name: 'path', value: rr })
      headers.push({ name: 'require', value: 'path' })
    } else {
      headers.unshift({ name: 'record-route', value: rr })
    }
  }
  headers.unshift({ name: 'via', value: opts.local.via(opts.protocol, opts.branch) })
  const uri = uriNamesUs(received.uri, opts.local) ? opts.target : received.uri
  return { kind: 'request', method: received.method, uri, headers, body: received.body }
}

/**
 * The CANCEL of one branch (RFC 3261 §9.1, §16.10): the branch's Request-URI, Call-ID,
 * From, To, CSeq number and top Via (same branch id), its Route headers, Max-Forwards 70.
 */
export function branchCancel(forwarded: SipRequest): SipRequest {
  const pick = (name: string) => forwarded.headers.filter((h) => h.name === name).map((h) => ({ name, value: h.value }))
  const cseq = forwarded.headers.find((h) => h.name === 'cseq')?.value ?? '1 INVITE'
  return {
    kind: 'request',
    method: 'CANCEL',
    uri: forwarded.uri,
    headers: [
      ...pick('via').slice(0, 1),
      { name: 'max-forwards', value: '70' },
      ...pick('from'),
      ...pick('to'),
      ...pick('call-id'),
      { name: 'cseq', value: `${Number.parseInt(cseq, 10)} CANCEL` },
      ...pick('route'),
    ],
    body: Buffer.alloc(0),
  }
}
