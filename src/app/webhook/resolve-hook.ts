import { LivecallError } from '../../errors/index.js'

/**
 * A webhook as applications write it (jambonz's hook shape): a URL string, or an object
 * with the URL, the method and HTTP Basic credentials.
 */
export type Hook =
  | string
  | { url: string; method?: 'GET' | 'POST' | 'get' | 'post'; username?: string; password?: string }

/** A hook with an absolute http(s) URL and an upper-case method, ready to be requested. */
export interface ResolvedHook {
  url: string
  method: 'GET' | 'POST'
  username?: string
  password?: string
}

/**
 * Resolves `hook` to an absolute http(s) URL.
 *
 * - An absolute `http:`/`https:` URL is kept; a relative one (`/digits`, `digits`,
 *   `../x`) is resolved against `base`'s URL with WHATWG URL.
 * - The method defaults to POST; the base's method is not inherited.
 * - A relative hook that lands on the base's origin inherits the base's
 *   username/password when it names none (as jambonz does); any other hook never
 *   receives the base's credentials.
 * - Credentials written in the URL (`https://user:pass@host/`) are moved to
 *   `username`/`password` (explicit ones win) and removed from `url`.
 * - The fragment is dropped (it is never sent).
 *
 * Throws LIVECALL_ERR_WEBHOOK_URL (400) for an empty URL, a relative URL without a base,
 * a scheme other than http(s), or an unknown method.
 */
export function resolveHook(hook: Hook, base?: string | ResolvedHook): ResolvedHook {
  const spec = typeof hook === 'string' ? { url: hook } : hook
  const raw = typeof spec?.url === 'string' ? spec.url.trim() : ''
  const shown = JSON.stringify(typeof spec?.url === 'string' ? spec.url : spec)
  if (raw === '') throw urlError(`webhook ${shown} has no URL`)

  const method = (spec.method ?? 'POST').toUpperCase()
  if (method !== 'GET' && method !== 'POST') {
    throw urlError(`webhook ${shown} has method ${JSON.stringify(spec.method)}; only GET and POST are allowed`)
  }

  let url: URL
  let inherited: { username?: string; password?: string } = {}
  if (URL.canParse(raw)) {
    url = new URL(raw)
  } else {
    if (base === undefined) {
      throw urlError(`webhook ${shown} is a relative URL and there is no base webhook to resolve it against`)
    }
    let baseHook: ResolvedHook
    try {
      baseHook = typeof base === 'string' ? resolveHook(base) : resolveHook(base.url)
    } catch (err) {
      throw urlError(`webhook ${shown} cannot be resolved: ${(err as Error).message}`, err)
    }
    if (typeof base !== 'string' && base.username !== undefined) {
      baseHook = { ...baseHook, username: base.username, password: base.password }
    }
    const baseUrl = new URL(baseHook.url)
    try {
      url = new URL(raw, baseUrl)
    } catch (err) {
      throw urlError(`webhook ${shown} is not a valid URL relative to ${baseHook.url}`, err)
    }
    if (url.origin === baseUrl.origin) {
      inherited = { username: baseHook.username, password: baseHook.password }
    }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw urlError(`webhook ${shown} must be an http: or https: URL, not ${url.protocol}`)
  }

  let username = spec.username
  let password = spec.password
  if (url.username !== '' || url.password !== '') {
    if (username === undefined) {
      username = decodeURIComponent(url.username)
      password = password ?? decodeURIComponent(url.password)
    }
    url.username = ''
    url.password = ''
  }
  if (username === undefined && inherited.username !== undefined) {
    username = inherited.username
    password = password ?? inherited.password
  }
  url.hash = ''

  const resolved: ResolvedHook = { url: url.href, method }
  if (username !== undefined) resolved.username = username
  if (password !== undefined) resolved.password = password
  return resolved
}

function urlError(message: string, cause?: unknown): LivecallError {
  return new LivecallError('LIVECALL_ERR_WEBHOOK_URL', message, 400, cause === undefined ? undefined : { cause })
}
