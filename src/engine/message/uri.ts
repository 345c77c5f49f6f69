import { formatParams, parseParams } from './params.js'
import { SipParseError } from './types.js'

/**
 * A parsed URI.
 * - `sip:`/`sips:` (RFC 3261 §19.1): `sip:user:password@host:port;params?headers`.
 *   An IPv6 host keeps its brackets (`[::1]`), as in the `IPv6reference` grammar.
 *   The user part is kept escaped, as on the wire.
 * - `tel:` (RFC 3966): the number goes in `user`, `host` is empty, params as for SIP.
 * - any other scheme (an absoluteURI, e.g. `urn:service:sos`): `host` is empty and the
 *   text after the colon is in `opaque`.
 */
export interface SipUri {
  scheme: 'sip' | 'sips' | 'tel' | string
  user?: string
  password?: string
  host: string
  port?: number
  params: Map<string, string | null>
  /** the raw `?h=v&…` part, without the `?` */
  headers?: string
  /** everything after `scheme:` for schemes other than sip, sips and tel */
  opaque?: string
}

const SCHEME_RE = /^[A-Za-z][A-Za-z0-9+\-.]*$/
/** no URI holds whitespace or control characters (RFC 3986 §2, RFC 3261 §25.1) */
const FORBIDDEN_RE = /[\s\x00-\x1f\x7f]/

/** Parse a URI (see SipUri). Throws SipParseError when it is not one. */
export function parseUri(uri: string): SipUri {
  const text = uri.trim()
  const colon = text.indexOf(':')
  if (colon <= 0 || !SCHEME_RE.test(text.slice(0, colon)) || FORBIDDEN_RE.test(text)) {
    throw new SipParseError(`invalid URI: ${uri}`)
  }
  const scheme = text.slice(0, colon).toLowerCase()
  if (scheme === 'tel') return parseTelUri(text, colon + 1)
  if (scheme !== 'sip' && scheme !== 'sips') {
    if (colon + 1 >= text.length) throw new SipParseError(`invalid URI: ${uri}`)
    return { scheme, host: '', params: new Map(), opaque: text.slice(colon + 1) }
  }

  let pos = colon + 1
  const out: SipUri = { scheme, host: '', params: new Map() }
  // '@' cannot appear unescaped after the userinfo (hostport, params and headers exclude it),
  // while the user part may hold ';' and '?' (RFC 3261 §25.1 user-unreserved).
  const at = text.indexOf('@', pos)
  if (at !== -1) {
    const pw = text.indexOf(':', pos)
    if (pw !== -1 && pw < at) {
      out.user = text.slice(pos, pw)
      out.password = text.slice(pw + 1, at)
    } else {
      out.user = text.slice(pos, at)
    }
    if (out.user === '') throw new SipParseError(`invalid URI (empty user): ${uri}`)
    pos = at + 1
  }

  // hostport
  let hostEnd: number
  if (text.charCodeAt(pos) === 0x5b /* [ */) {
    const close = text.indexOf(']', pos)
    if (close === -1) throw new SipParseError(`invalid URI (unterminated IPv6 reference): ${uri}`)
    hostEnd = close + 1
  } else {
    hostEnd = pos
    while (hostEnd < text.length) {
      const c = text.charCodeAt(hostEnd)
      if (c === 0x3a || c === 0x3b || c === 0x3f) break // : ; ?
      hostEnd++
    }
  }
  out.host = text.slice(pos, hostEnd)
  if (!isValidHost(out.host)) throw new SipParseError(`invalid URI host: ${uri}`)
  pos = hostEnd
  if (text.charCodeAt(pos) === 0x3a /* : */) {
    let portEnd = pos + 1
    while (portEnd < text.length && text.charCodeAt(portEnd) !== 0x3b && text.charCodeAt(portEnd) !== 0x3f) portEnd++
    out.port = parsePort(text.slice(pos + 1, portEnd), uri)
    pos = portEnd
  }
  const q = text.indexOf('?', pos)
  const paramsEnd = q === -1 ? text.length : q
  if (pos < paramsEnd) {
    if (text.charCodeAt(pos) !== 0x3b) throw new SipParseError(`invalid URI: ${uri}`)
    parseParams(text, pos + 1, paramsEnd, out.params)
  }
  if (q !== -1) out.headers = text.slice(q + 1)
  return out
}

function parseTelUri(text: string, pos: number): SipUri {
  const semi = text.indexOf(';', pos)
  const user = semi === -1 ? text.slice(pos) : text.slice(pos, semi)
  if (user === '') throw new SipParseError(`invalid tel URI: ${text}`)
  const params = semi === -1 ? new Map<string, string | null>() : parseParams(text, semi + 1)
  return { scheme: 'tel', user, host: '', params }
}

/** Format a SipUri back to text (the inverse of parseUri). */
export function formatUri(u: SipUri): string {
  if (u.opaque !== undefined) return `${u.scheme}:${u.opaque}`
  if (u.scheme === 'tel') return `tel:${u.user ?? ''}${formatParams(u.params)}`
  let out = `${u.scheme}:`
  if (u.user !== undefined) out += u.password !== undefined ? `${u.user}:${u.password}@` : `${u.user}@`
  out += u.host
  if (u.port !== undefined) out += `:${u.port}`
  out += formatParams(u.params)
  if (u.headers !== undefined) out += `?${u.headers}`
  return out
}

/** Parse a port (1*DIGIT, 0–65535); throws SipParseError naming `context`. */
export function parsePort(text: string, context: string): number {
  if (text.length === 0 || text.length > 5) throw new SipParseError(`invalid port in ${context}`)
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) throw new SipParseError(`invalid port in ${context}`)
    n = n * 10 + d
  }
  if (n > 65535) throw new SipParseError(`invalid port in ${context}`)
  return n
}

/** hostname / IPv4address / IPv6reference (RFC 3261 §25.1), checked loosely: allowed characters only. */
const HOST_RE = /^(?:[A-Za-z0-9\-._~%]+|\[[0-9A-Fa-f:.]+\])$/

/** True for a syntactically plausible host (hostname, IPv4, or bracketed IPv6). */
export function isValidHost(host: string): boolean {
  return HOST_RE.test(host)
}

/** A host as a socket address: an IPv6 reference loses its brackets (`[::1]` → `::1`). */
export function hostToAddress(host: string): string {
  return host.charCodeAt(0) === 0x5b && host.charCodeAt(host.length - 1) === 0x5d ? host.slice(1, -1) : host
}
