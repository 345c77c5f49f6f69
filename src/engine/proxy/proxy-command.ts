import type { SipHeader } from '../message/index.js'
import { parseAppMessage } from '../core/parse-app-message.js'

/**
 * The app's `proxy` command (drachtio-protocol.md §A.2), as srf's `req.proxy()` /
 * `srf.proxyRequest()` writes it (drachtio-agent.js `proxy`):
 *
 * ```
 * proxy|<txnId>|remainInDialog?|fullResponse?|followRedirects?|simultaneous|serial|<provisionalTimeout>|<finalTimeout>|<dest1>|<dest2>…
 * CRLF + `<METHOD> <dest1> SIP/2.0` + the headers of `opts.headers`
 * ```
 * An empty token means "off" (drachtio-server client.cpp compares each with its keyword).
 */
export interface ProxyCommand {
  /** the txnId of the request the app received */
  txnId: string
  /** Record-Route ourselves and stay in the dialog (srf: `remainInDialog`, `recordRoute`, `path`) */
  recordRoute: boolean
  /** report every final response to the app (`…|continue`); srf always asks for it */
  fullResponse: boolean
  /** recurse on 3xx Contacts (RFC 3261 §16.5) instead of treating the 3xx as a final response */
  followRedirects: boolean
  /** fork in parallel (RFC 3261 §16.6); otherwise one destination after another */
  simultaneous: boolean
  /** try the next destination when a branch gets no response at all within this; 0 = off */
  provisionalTimeoutMs: number
  /** passed by srf but unused by drachtio-server (sip-proxy-controller.cpp never reads it) */
  finalTimeout: string
  destinations: string[]
  /** `opts.headers`: set on every forwarded request */
  headers: SipHeader[]
}

/** Headers the app may not set on a proxied request: the stack's own and the transaction's identity. */
const NOT_SETTABLE = new Set(['via', 'route', 'record-route', 'rseq', 'content-length', 'from', 'to', 'call-id', 'cseq', 'max-forwards'])

/** Parse the leader tokens (already split on `|`) and the SIP part; undefined when too short (drachtio's check). */
export function parseProxyCommand(token: readonly string[], sip: Buffer): ProxyCommand | undefined {
  if (token.length < 4) return undefined
  const msg = sip.length > 0 ? parseAppMessage(sip) : undefined
  return {
    txnId: token[2] ?? '',
    recordRoute: token[3] === 'remainInDialog',
    fullResponse: token[4] === 'fullResponse',
    followRedirects: token[5] === 'followRedirects',
    simultaneous: token[6] === 'simultaneous',
    provisionalTimeoutMs: parseTimeout(token[7] ?? ''),
    finalTimeout: token[8] ?? '',
    destinations: token.slice(9).filter((d) => d.length > 0),
    headers: (msg?.headers ?? []).filter((h) => !NOT_SETTABLE.has(h.name)),
  }
}

/** `1500ms` or `2s` (srf's syntax; sip-proxy-controller.cpp `setProvisionalTimeout`); anything else is 0. */
export function parseTimeout(text: string): number {
  const m = /^(\d+)(ms|s)$/.exec(text)
  if (!m) return 0
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1)
}
