import { timingSafeEqual } from 'node:crypto'

/**
 * The parts every dialect's authentication shares: reading an `Authorization` header
 * of one scheme, and comparing a secret in constant time.
 */

/** `Authorization: <scheme> <token>` → the token, or undefined when the header is absent or of another scheme. */
export function authorizationToken(header: unknown, scheme: 'Bearer' | 'AccessKey'): string | undefined {
  if (typeof header !== 'string') return undefined
  const m = new RegExp(`^${scheme}\\s+(\\S+)\\s*$`, 'i').exec(header)
  return m ? m[1] : undefined
}

/** HTTP Basic (RFC 7617) → user and password, or undefined. */
export function basicCredentials(header: unknown): { user: string; password: string } | undefined {
  const m = typeof header === 'string' ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null
  if (!m) return undefined
  const decoded = Buffer.from(m[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon < 0 ? { user: decoded, password: '' } : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

/** constant-time equality of a presented secret and the configured one */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}
