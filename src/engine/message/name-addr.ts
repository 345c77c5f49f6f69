import { formatParams, parseParams } from './params.js'
import { SipParseError, type NameAddr } from './types.js'

/**
 * Parse a From/To/Contact/Route/Record-Route value (RFC 3261 §20.10, §25.1):
 * - `"Display \"Name\"" <sip:a@b;lr>;tag=x` (quoted display name, `\"` escapes removed)
 * - `Display Name <sip:a@b>;tag=x` (token display name)
 * - `<sip:a@b>;tag=x`
 * - `sip:a@b;tag=x` (addr-spec: every `;param` after the URI is a header parameter, §20.10)
 * - `*` (the Contact of a REGISTER that removes all bindings, §10.2.2)
 * Header parameter names are lower-cased. Throws SipParseError on an unterminated quote or `<`.
 */
export function parseNameAddr(value: string): NameAddr {
  const text = value.trim()
  let i = 0
  let displayName: string | undefined
  if (text.charCodeAt(0) === 0x22 /* " */) {
    let j = 1
    let name = ''
    let chunk = 1
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j)
      if (c === 0x5c /* \ */) {
        name += text.slice(chunk, j)
        j++
        chunk = j
      } else if (c === 0x22) break
    }
    if (j >= text.length) throw new SipParseError(`unterminated quoted display name: ${value}`)
    displayName = name + text.slice(chunk, j)
    i = j + 1
  }

  const lt = text.indexOf('<', i)
  if (lt !== -1) {
    const gt = text.indexOf('>', lt + 1)
    if (gt === -1) throw new SipParseError(`unterminated <URI>: ${value}`)
    if (displayName === undefined) {
      const token = text.slice(0, lt).trim()
      if (token !== '') displayName = token
    } else if (text.slice(i, lt).trim() !== '') {
      throw new SipParseError(`unexpected text after display name: ${value}`)
    }
    const uri = text.slice(lt + 1, gt).trim()
    if (uri === '') throw new SipParseError(`empty URI: ${value}`)
    const params = parseParams(text, skipToParams(text, gt + 1, value))
    const na: NameAddr = { uri, params }
    if (displayName !== undefined) na.displayName = displayName
    return na
  }
  if (displayName !== undefined) throw new SipParseError(`display name without <URI>: ${value}`)

  // addr-spec: the URI ends at the first ';' (or whitespace before one).
  const semi = text.indexOf(';')
  const uri = (semi === -1 ? text : text.slice(0, semi)).trim()
  if (uri === '' || uri.indexOf(' ') !== -1) throw new SipParseError(`invalid address: ${value}`)
  if (uri !== '*' && uri.indexOf(':') === -1) throw new SipParseError(`invalid address (no scheme): ${value}`)
  return { uri, params: semi === -1 ? new Map() : parseParams(text, semi + 1) }
}

function skipToParams(text: string, from: number, original: string): number {
  let i = from
  while (i < text.length && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++
  if (i === text.length) return i
  if (text.charCodeAt(i) !== 0x3b /* ; */) throw new SipParseError(`unexpected text after <URI>: ${original}`)
  return i + 1
}

/**
 * Format a NameAddr. The URI always goes in `<>` (always legal, and required when it has
 * parameters, §20.10), except for `*`. The display name is quoted with `"` and `\` escaped.
 */
export function formatNameAddr(na: NameAddr): string {
  const params = formatParams(na.params)
  if (na.uri === '*') return `*${params}`
  if (na.displayName === undefined || na.displayName === '') return `<${na.uri}>${params}`
  const quoted = na.displayName.replace(/["\\]/g, '\\$&')
  return `"${quoted}" <${na.uri}>${params}`
}

/**
 * The `tag` parameter of a From/To value (RFC 3261 §19.3), or undefined when there is
 * none or the value does not parse. Never throws.
 */
export function getTag(value: string): string | undefined {
  if (!/tag/i.test(value)) return undefined
  try {
    const tag = parseNameAddr(value).params.get('tag')
    return tag === null || tag === undefined || tag === '' ? undefined : tag
  } catch {
    return undefined
  }
}
