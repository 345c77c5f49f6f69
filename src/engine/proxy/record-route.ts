import { parseNameAddr, parseUri } from '../message/index.js'
import type { LocalAddress } from '../core/local-address.js'
import type { Protocol } from '../transport/peer.js'

/**
 * Our Record-Route value (RFC 3261 §16.6 step 4): the SIP URI of the transport the request
 * leaves on with `lr` (RFC 3261 §19.1.1), as drachtio-server writes it
 * (sip-proxy-controller.cpp `forwardRequest`: `<` + the transport's contact URI + `;lr>`,
 * `;transport=` for anything but UDP; over TLS the `sips:` URI of the TLS port).
 */
export function recordRouteValue(local: LocalAddress, protocol: Protocol): string {
  const transport = protocol === 'udp' ? '' : `;transport=${protocol}`
  return `<${protocol === 'tls' ? 'sips' : 'sip'}:${local.hostportFor(protocol)}${transport};lr>`
}

/** A Route (or Record-Route) value naming us (RFC 3261 §16.4), with `lr` when `looseOnly`. */
export function routeNamesUs(value: string, local: LocalAddress, looseOnly = false): boolean {
  try {
    const na = parseNameAddr(value)
    const u = parseUri(na.uri)
    if (looseOnly && !u.params.has('lr') && !na.params.has('lr')) return false
    return local.isSelf(u.host, u.port ?? (u.scheme === 'sips' ? 5061 : 5060))
  } catch {
    return false
  }
}

/** A Request-URI naming us: drachtio-server then replaces it with the destination (`isLocalSipUri`). */
export function uriNamesUs(uri: string, local: LocalAddress): boolean {
  if (!/^sips?:/i.test(uri)) return false // tel: and the like are carried forward
  try {
    const u = parseUri(uri)
    return local.isSelf(u.host, u.port ?? (u.scheme === 'sips' ? 5061 : 5060))
  } catch {
    return false
  }
}
