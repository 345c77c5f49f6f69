import { formatParams, parseParams } from './params.js'
import { isValidHost, parsePort } from './uri.js'
import { SipParseError, type Via } from './types.js'

/**
 * Parse one Via value (RFC 3261 §20.42; `via-parm` of §25.1):
 * `SIP / 2.0 / UDP host[:port];branch=z9hG4bK…;rport;received=…`.
 * Whitespace around the slashes is allowed (LWS in SLASH). An IPv6 sent-by keeps its
 * brackets. Parameter names are lower-cased; a flag such as a bare `rport` (RFC 3581)
 * maps to `null`. Throws SipParseError when the value is not a Via.
 */
export function parseVia(value: string): Via {
  // sent-protocol: protocol-name SLASH protocol-version SLASH transport
  const s1 = value.indexOf('/')
  const s2 = s1 === -1 ? -1 : value.indexOf('/', s1 + 1)
  if (s2 === -1) throw new SipParseError(`invalid Via: ${value}`)
  const protocol = value.slice(0, s1).trim()
  const version = value.slice(s1 + 1, s2).trim()
  if (protocol.toUpperCase() !== 'SIP' || version !== '2.0') throw new SipParseError(`invalid Via protocol: ${value}`)

  let i = s2 + 1
  while (isLws(value.charCodeAt(i))) i++
  const tStart = i
  while (i < value.length && !isLws(value.charCodeAt(i))) i++
  const transport = value.slice(tStart, i).toUpperCase()
  if (transport === '' || !/^[A-Z0-9\-.!%*_+`'~]+$/.test(transport)) throw new SipParseError(`invalid Via transport: ${value}`)
  while (isLws(value.charCodeAt(i))) i++

  // sent-by: host [ COLON port ]
  const semi = value.indexOf(';', i)
  const sentByEnd = semi === -1 ? value.length : semi
  const sentBy = value.slice(i, sentByEnd).trim()
  let host: string
  let port: number | undefined
  if (sentBy.charCodeAt(0) === 0x5b /* [ */) {
    const close = sentBy.indexOf(']')
    if (close === -1) throw new SipParseError(`invalid Via sent-by: ${value}`)
    host = sentBy.slice(0, close + 1)
    const rest = sentBy.slice(close + 1).trim()
    if (rest !== '') {
      if (rest.charCodeAt(0) !== 0x3a) throw new SipParseError(`invalid Via sent-by: ${value}`)
      port = parsePort(rest.slice(1).trim(), `Via ${value}`)
    }
  } else {
    const colon = sentBy.indexOf(':')
    host = colon === -1 ? sentBy : sentBy.slice(0, colon).trim()
    if (colon !== -1) port = parsePort(sentBy.slice(colon + 1).trim(), `Via ${value}`)
  }
  if (!isValidHost(host)) throw new SipParseError(`invalid Via host: ${value}`)

  const params = semi === -1 ? new Map<string, string | null>() : parseParams(value, semi + 1)
  const via: Via = { transport, host, params }
  if (port !== undefined) via.port = port
  return via
}

/** Format a Via value: `SIP/2.0/UDP host:port;branch=…;rport`. */
export function formatVia(via: Via): string {
  const port = via.port === undefined ? '' : `:${via.port}`
  return `SIP/2.0/${via.transport} ${via.host}${port}${formatParams(via.params)}`
}

function isLws(c: number): boolean {
  return c === 0x20 || c === 0x09
}
