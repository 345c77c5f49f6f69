import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request the scaffold received. */
export interface RecordedRequest {
  method: string
  /** path without the query string */
  path: string
  query: Record<string, string>
  headers: IncomingHttpHeaders
  rawBody: string
  /** JSON-parsed (application/json) or form-parsed (x-www-form-urlencoded) body; otherwise undefined */
  body: any
  /** Date.now() at arrival */
  at: number
}

/** An explicit answer: for errors, non-JSON text and slow (or never: `delayMs: Infinity`) answers. */
export interface RouteResponse {
  status?: number
  /** a string is sent as is; anything else as JSON */
  body?: unknown
  contentType?: string
  delayMs?: number
  headers?: Record<string, string>
}

const REPLY = Symbol('webhook-scaffold reply')

/** Mark `r` as a RouteResponse (needed only when a JSON document could look like one). */
export function reply(r: RouteResponse): RouteResponse {
  return Object.assign({ [REPLY]: true }, r)
}

/**
 * A route's handler: a static JSON value (served as application/json), a function of the
 * request returning the JSON body (or a RouteResponse), or a RouteResponse.
 */
export type RouteHandler = ((req: RecordedRequest) => unknown) | RouteResponse | unknown

export interface WebhookScaffoldOptions {
  /** the path that records status callbacks and answers them 200 (default `/status`) */
  statusPath?: string
}

const RESPONSE_KEYS = new Set(['status', 'body', 'contentType', 'delayMs', 'headers'])

function isRouteResponse(v: unknown): v is RouteResponse {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  if ((v as Record<symbol, unknown>)[REPLY]) return true
  const keys = Object.keys(v)
  const r = v as RouteResponse
  return keys.length > 0 && keys.every((k) => RESPONSE_KEYS.has(k)) && (typeof r.status === 'number' || typeof r.delayMs === 'number')
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  const ct = (contentType ?? '').toLowerCase()
  try {
    if (ct.includes('json')) return raw ? JSON.parse(raw) : undefined
  } catch {
    return undefined
  }
  if (ct.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw))
  return undefined
}

/**
 * A real HTTP server on 127.0.0.1 playing a jambonz application server for e2e tests:
 * serves the verb documents the test registers, records every request (unknown paths
 * get 404 and are recorded too), and answers the status path 200 by itself.
 */
export class WebhookScaffold {
  readonly received: RecordedRequest[] = []
  readonly statusPath: string
  private readonly routes = new Map<string, RouteHandler>()
  private readonly listeners = new Set<() => void>()
  private readonly pending = new Set<NodeJS.Timeout>()

  private constructor(private readonly server: Server, opts: WebhookScaffoldOptions) {
    this.statusPath = opts.statusPath ?? '/status'
    server.on('request', (req, res) => void this.handle(req, res))
  }

  static async start(opts: WebhookScaffoldOptions = {}): Promise<WebhookScaffold> {
    const server = createServer({ keepAlive: true })
    server.keepAliveTimeout = 10_000
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    return new WebhookScaffold(server, opts)
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port
  }

  /** `http://127.0.0.1:port` + path */
  url(path = '/'): string {
    return `http://127.0.0.1:${this.port}${path.startsWith('/') ? path : `/${path}`}`
  }

  /** Serve `handler` at `path` (any method; replaces an earlier route). */
  route(path: string, handler: (req: RecordedRequest) => unknown): this
  route(path: string, handler: RouteResponse | unknown): this
  route(path: string, handler: RouteHandler): this {
    this.routes.set(path, handler)
    return this
  }

  /** Recorded requests, all or those to `path`. */
  /** forget every route and recorded request (between tests) */
  reset(): void {
    this.routes.clear()
    this.received.length = 0
  }

  requests(path?: string): RecordedRequest[] {
    return path === undefined ? [...this.received] : this.received.filter((r) => r.path === path)
  }

  /** Status callbacks (POSTs to the status path), all or those of `callSid` (`call_sid` or Twilio's `CallSid`). */
  statusCallbacks(callSid?: string): RecordedRequest[] {
    return this.received.filter(
      (r) => r.method === 'POST' && r.path === this.statusPath && (callSid === undefined || r.body?.call_sid === callSid || r.body?.CallSid === callSid),
    )
  }

  /** The `call_status` values the status path got, in order (for `callSid` when given). */
  statuses(callSid?: string): string[] {
    return this.statusCallbacks(callSid).map((r) => r.body?.call_status ?? r.body?.CallStatus)
  }

  /** Resolves with the first request (received or to come) for which `pred` holds. */
  waitFor(pred: (r: RecordedRequest) => boolean, timeoutMs = 10_000, what = 'request'): Promise<RecordedRequest> {
    const seen = this.received.find(pred)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const r = this.received.find(pred)
        if (!r) return
        done()
        resolve(r)
      }
      const t = setTimeout(() => {
        done()
        reject(new Error(`WebhookScaffold: timed out after ${timeoutMs} ms waiting for ${what}; received:\n${this.describe()}`))
      }, timeoutMs)
      const done = (): void => {
        clearTimeout(t)
        this.listeners.delete(check)
      }
      this.listeners.add(check)
    })
  }

  /** Wait for a status callback with `call_status` (of `callSid` when given). */
  waitForStatus(callStatus: string, callSid?: string, timeoutMs = 10_000): Promise<RecordedRequest> {
    return this.waitFor(
      (r) => this.statusCallbacks(callSid).includes(r) && (r.body?.call_status ?? r.body?.CallStatus) === callStatus,
      timeoutMs,
      `status callback ${callStatus}${callSid ? ` of ${callSid}` : ''}`,
    )
  }

  /** One line per request received, for failure messages. */
  describe(): string {
    if (!this.received.length) return '  (nothing)'
    return this.received.map((r) => `  ${r.method} ${r.path} ${r.rawBody.slice(0, 160)}`).join('\n')
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const rawBody = Buffer.concat(chunks).toString('utf8')
    const u = new URL(req.url ?? '/', 'http://127.0.0.1')
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      headers: req.headers,
      rawBody,
      body: parseBody(rawBody, req.headers['content-type']),
      at: Date.now(),
    }
    this.received.push(rec)
    for (const l of [...this.listeners]) l()
    let out: RouteResponse
    try {
      out = await this.answerFor(rec)
    } catch (err) {
      out = { status: 500, body: { error: String(err) } }
    }
    const send = (): void => {
      if (res.destroyed) return
      const binary = out.body instanceof Uint8Array
      const text = binary ? Buffer.from(out.body as Uint8Array) : typeof out.body === 'string' ? out.body : out.body === undefined ? '' : JSON.stringify(out.body)
      const type = out.contentType ?? (binary ? 'application/octet-stream' : typeof out.body === 'string' ? 'text/plain' : 'application/json')
      res.writeHead(out.status ?? 200, { ...(text ? { 'content-type': type } : {}), 'content-length': Buffer.byteLength(text), ...out.headers })
      res.end(text)
    }
    const delay = out.delayMs ?? 0
    if (delay === Infinity) return // never answer; close() drops the connection
    if (delay <= 0) return send()
    const t = setTimeout(() => {
      this.pending.delete(t)
      send()
    }, delay)
    this.pending.add(t)
  }

  private async answerFor(rec: RecordedRequest): Promise<RouteResponse> {
    if (!this.routes.has(rec.path)) {
      if (rec.path === this.statusPath) return { status: 200 }
      return { status: 404, body: { error: `no route for ${rec.path}` } }
    }
    const handler = this.routes.get(rec.path)
    const value = typeof handler === 'function' ? await (handler as (r: RecordedRequest) => unknown)(rec) : handler
    return isRouteResponse(value) ? value : { status: 200, body: value ?? [] }
  }

  async close(): Promise<void> {
    for (const t of this.pending) clearTimeout(t)
    this.pending.clear()
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.server.closeAllConnections()
    await closed
  }
}
