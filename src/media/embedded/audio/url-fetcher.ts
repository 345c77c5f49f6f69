import { badAudio, fetchFailed } from './audio-errors.js'

export interface FetchOptions {
  timeoutMs: number
  maxBytes: number
  signal?: AbortSignal
  /** validators of a cached copy: sent as If-None-Match / If-Modified-Since (RFC 9110 §13.1) */
  etag?: string
  lastModified?: string
}

export type FetchOutcome =
  | { kind: 'notModified'; freshMs: number }
  | { kind: 'body'; bytes: Uint8Array; contentType?: string; etag?: string; lastModified?: string; freshMs: number; storable: boolean }

/** Freshness for a response with neither validators nor Cache-Control (RFC 9111 §4.2.2 heuristic). */
const HEURISTIC_FRESH_MS = 60_000

/**
 * GET an audio prompt over http(s) with a total deadline (headers and body) and a size
 * cap enforced while streaming, not only from Content-Length. A 304 answers a
 * conditional request. Every failure is LIVECALL_ERR_MEDIA_FETCH, except an abort by the
 * caller's signal, which rejects with the signal's reason.
 */
export async function fetchAudio(url: string, opts: FetchOptions): Promise<FetchOutcome> {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw badAudio(`url: not a valid URL: ${url}`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw badAudio(`url: only http and https are supported (${parsed.protocol})`)

  const deadline = AbortSignal.timeout(opts.timeoutMs)
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline
  const headers: Record<string, string> = { accept: 'audio/wav, audio/x-wav, audio/mpeg;q=0.9, */*;q=0.5' }
  if (opts.etag) headers['if-none-match'] = opts.etag
  if (opts.lastModified) headers['if-modified-since'] = opts.lastModified

  const failed = (what: string, cause?: unknown): Error => {
    if (opts.signal?.aborted) return opts.signal.reason as Error
    if (deadline.aborted) return fetchFailed(`${url}: timed out after ${opts.timeoutMs} ms`, cause)
    return fetchFailed(`${url}: ${what}`, cause)
  }

  let res: Response
  try {
    res = await fetch(parsed, { headers, signal, redirect: 'follow' })
  } catch (err) {
    throw failed(`request failed (${describe(err)})`, err)
  }
  const freshMs = freshness(res.headers)
  if (res.status === 304 && (opts.etag || opts.lastModified)) {
    await res.body?.cancel().catch(() => undefined)
    return { kind: 'notModified', freshMs }
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined)
    throw fetchFailed(`${url}: HTTP ${res.status}`)
  }
  const declared = Number(res.headers.get('content-length') ?? NaN)
  if (declared > opts.maxBytes) {
    await res.body?.cancel().catch(() => undefined)
    throw fetchFailed(`${url}: ${declared} bytes exceeds the ${opts.maxBytes}-byte limit`)
  }

  const chunks: Uint8Array[] = []
  let total = 0
  try {
    if (res.body) {
      const reader = res.body.getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        total += value.byteLength
        if (total > opts.maxBytes) {
          await reader.cancel().catch(() => undefined)
          throw fetchFailed(`${url}: body exceeds the ${opts.maxBytes}-byte limit`)
        }
        chunks.push(value)
      }
    }
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'LIVECALL_ERR_MEDIA_FETCH') throw err
    throw failed(`reading the body failed (${describe(err)})`, err)
  }
  const bytes = new Uint8Array(total)
  let off = 0
  for (const c of chunks) {
    bytes.set(c, off)
    off += c.byteLength
  }
  const cc = res.headers.get('cache-control')?.toLowerCase() ?? ''
  return {
    kind: 'body',
    bytes,
    contentType: res.headers.get('content-type') ?? undefined,
    etag: res.headers.get('etag') ?? undefined,
    lastModified: res.headers.get('last-modified') ?? undefined,
    freshMs,
    storable: !/\bno-store\b/.test(cc),
  }
}

/** How long a response may be reused without asking again (RFC 9111 §4.2.1). */
function freshness(h: Headers): number {
  const cc = h.get('cache-control')?.toLowerCase()
  if (cc) {
    if (/\b(no-cache|no-store)\b/.test(cc)) return 0
    const m = /\bmax-age\s*=\s*"?(\d+)/.exec(cc)
    if (m) return Number(m[1]) * 1000
  }
  if (h.get('etag') || h.get('last-modified')) return 0 // revalidate each time: a cheap 304
  return HEURISTIC_FRESH_MS
}

function describe(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err
  if (cause instanceof Error) return 'code' in cause && cause.code ? String(cause.code) : cause.message
  return String(err)
}
