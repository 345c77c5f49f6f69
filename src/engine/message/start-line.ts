import { SipParseError } from './types.js'

/** What a start line says (RFC 3261 §7.1 Request-Line, §7.2 Status-Line). */
export type StartLine =
  | { readonly kind: 'request'; readonly method: string; readonly uri: string }
  | { readonly kind: 'response'; readonly status: number; readonly reason: string }

const METHOD_RE = /^[A-Za-z0-9\-.!%*_+`'~]+$/
/** absoluteURI: a scheme, a colon, then no whitespace or control characters */
const REQUEST_URI_RE = /^[A-Za-z][A-Za-z0-9+\-.]*:[^\s\x00-\x1f\x7f]+$/
const VERSION = 'SIP/2.0'

/**
 * Parse a start line (without its line ending). `Method SP Request-URI SP SIP-Version`
 * or `SIP-Version SP Status-Code SP Reason-Phrase`. Extra spaces between the elements
 * are tolerated; the version is matched case-insensitively (§7.1) and must be 2.0;
 * the status code is three digits 100–699 (§7.2, §21). Throws SipParseError.
 */
export function parseStartLine(line: string): StartLine {
  if (line.length >= 7 && line.slice(0, 7).toUpperCase() === VERSION) {
    return parseStatusLine(line)
  }
  if (line.slice(0, 4).toUpperCase() === 'SIP/') throw new SipParseError('unsupported SIP version in status line')
  const sp1 = line.indexOf(' ')
  if (sp1 <= 0) throw new SipParseError('invalid start line')
  const method = line.slice(0, sp1)
  if (!METHOD_RE.test(method)) throw new SipParseError('invalid method in request line')
  const rest = line.slice(sp1 + 1).trim()
  const sp2 = rest.lastIndexOf(' ')
  if (sp2 <= 0) throw new SipParseError('invalid request line')
  const version = rest.slice(sp2 + 1)
  const uri = rest.slice(0, sp2).trim()
  if (version.toUpperCase() !== VERSION) throw new SipParseError(`unsupported SIP version in request line: ${version.slice(0, 20)}`)
  if (!REQUEST_URI_RE.test(uri)) throw new SipParseError('invalid Request-URI')
  return { kind: 'request', method, uri }
}

function parseStatusLine(line: string): StartLine {
  let i = 7
  if (line.charCodeAt(i) !== 0x20) throw new SipParseError('unsupported SIP version in status line')
  while (line.charCodeAt(i) === 0x20) i++
  const codeStart = i
  let status = 0
  for (; i < line.length; i++) {
    const d = line.charCodeAt(i) - 48
    if (d < 0 || d > 9) break
    status = status * 10 + d
  }
  if (i - codeStart !== 3 || status < 100 || status > 699) throw new SipParseError('invalid status code')
  if (i < line.length && line.charCodeAt(i) !== 0x20 && line.charCodeAt(i) !== 0x09) {
    throw new SipParseError('invalid status code')
  }
  return { kind: 'response', status, reason: line.slice(i).trim() }
}
