/**
 * Header names: canonical lower-case full names for lookups, compact forms
 * (RFC 3261 §7.3.3, RFC 3262, RFC 3265, RFC 3515, RFC 3892, RFC 4028, RFC 3841, RFC 8224),
 * the spelling we put on the wire, and which headers are comma-separated lists
 * (RFC 3261 §7.3.1).
 */

/** compact form → canonical full name */
const COMPACT: Readonly<Record<string, string>> = {
  a: 'accept-contact', // RFC 3841
  b: 'referred-by', // RFC 3892
  c: 'content-type',
  d: 'request-disposition', // RFC 3841
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact', // RFC 3841
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info', // RFC 4474
  o: 'event', // RFC 6665
  r: 'refer-to', // RFC 3515
  s: 'subject',
  t: 'to',
  u: 'allow-events', // RFC 6665
  v: 'via',
  x: 'session-expires', // RFC 4028
  y: 'identity', // RFC 8224
}

/** Wire spellings that the "capitalise after each dash" rule would get wrong, or that are hot. */
const WIRE_SPELLINGS = [
  'Via', 'From', 'To', 'Call-ID', 'CSeq', 'Contact', 'Content-Type', 'Content-Length',
  'Content-Encoding', 'Content-Disposition', 'Content-Language', 'Max-Forwards', 'Record-Route',
  'Route', 'WWW-Authenticate', 'Proxy-Authenticate', 'Proxy-Authorization', 'Authorization',
  'Authentication-Info', 'Allow', 'Allow-Events', 'Supported', 'Require', 'Proxy-Require',
  'Unsupported', 'User-Agent', 'Server', 'Expires', 'Min-Expires', 'Subject', 'Event', 'RAck', 'RSeq',
  'Refer-To', 'Referred-By', 'Session-Expires', 'Min-SE', 'SIP-ETag', 'SIP-If-Match',
  'P-Asserted-Identity', 'P-Preferred-Identity', 'P-Charging-Vector', 'P-Access-Network-Info',
  'MIME-Version', 'Accept', 'Accept-Encoding', 'Accept-Language', 'Accept-Contact', 'Reject-Contact',
  'Request-Disposition', 'Identity', 'Identity-Info', 'Call-Info', 'Alert-Info', 'Error-Info',
  'Reply-To', 'In-Reply-To', 'Organization', 'Priority', 'Timestamp', 'Date', 'Warning', 'Reason',
  'Retry-After', 'Path', 'Service-Route', 'Privacy', 'Replaces', 'Join', 'Subscription-State',
  'Diversion', 'History-Info', 'Session-ID', 'User-to-User',
] as const

/**
 * Headers whose grammar is `#element` (RFC 3261 §7.3.1): a line with commas is split
 * into one SipHeader per element. WWW-Authenticate and friends are NOT here: their
 * commas separate parameters, not values.
 */
export const LIST_HEADERS: ReadonlySet<string> = new Set([
  'via', 'route', 'record-route', 'contact', 'allow', 'supported', 'require', 'proxy-require',
  'unsupported', 'allow-events', 'accept', 'accept-encoding', 'accept-language', 'content-encoding',
  'content-language', 'path', 'service-route', 'p-associated-uri', 'in-reply-to', 'alert-info',
  'call-info', 'error-info', 'reason', 'history-info', 'diversion', 'accept-contact',
  'reject-contact', 'request-disposition', 'p-asserted-identity', 'p-preferred-identity',
  'security-client', 'security-server', 'security-verify', 'privacy',
])

/** canonical lower-case name → wire spelling */
const WIRE_BY_CANONICAL = new Map<string, string>()
/** any spelling seen often (wire spelling, lower-case, compact either case) → canonical */
const CANONICAL_BY_SPELLING = new Map<string, string>()

for (const wire of WIRE_SPELLINGS) {
  const lower = wire.toLowerCase()
  WIRE_BY_CANONICAL.set(lower, wire)
  CANONICAL_BY_SPELLING.set(wire, lower)
  CANONICAL_BY_SPELLING.set(lower, lower)
  CANONICAL_BY_SPELLING.set(wire.toUpperCase(), lower)
}
for (const [letter, full] of Object.entries(COMPACT)) {
  CANONICAL_BY_SPELLING.set(letter, full)
  CANONICAL_BY_SPELLING.set(letter.toUpperCase(), full)
}

/** RFC 3261 §25.1 token characters */
const TOKEN_RE = /^[A-Za-z0-9\-.!%*_+`'~]+$/

/**
 * The canonical lookup name of a header: lower-case, compact form expanded
 * (`V`, `Via`, `via` → `via`; `i` → `call-id`). Header names are case-insensitive
 * (RFC 3261 §7.3.1).
 */
export function canonicalName(name: string): string {
  const hit = CANONICAL_BY_SPELLING.get(name)
  if (hit !== undefined) return hit
  const lower = name.toLowerCase()
  return (lower.length === 1 ? COMPACT[lower] : undefined) ?? lower
}

/**
 * The canonical name of a header name as read from the wire, or undefined when it is not
 * an RFC 3261 token (`header-name = token`, §25.1). Known spellings are one Map lookup.
 */
export function canonicalWireName(raw: string): string | undefined {
  const hit = CANONICAL_BY_SPELLING.get(raw)
  if (hit !== undefined) return hit
  return TOKEN_RE.test(raw) ? canonicalName(raw) : undefined
}

/**
 * The spelling written on the wire: the usual one for known headers, otherwise the
 * name capitalised after each dash (`x-foo-bar` → `X-Foo-Bar`), as drachtio-server does.
 */
export function wireName(canonical: string): string {
  const known = WIRE_BY_CANONICAL.get(canonical)
  if (known !== undefined) return known
  let out = ''
  let upper = true
  for (let i = 0; i < canonical.length; i++) {
    const ch = canonical[i]
    out += upper ? ch.toUpperCase() : ch
    upper = ch === '-'
  }
  return out
}
