import { setImmediate as nextTurn } from 'node:timers/promises'
import { Agent, request } from 'undici'
import type { Logger } from 'pino'
import { LivecallError, type ErrorCode } from '../../errors/index.js'
import { encodeForm } from './encode-form.js'
import { KeyedQueue } from './keyed-queue.js'
import type { ResolvedHook } from './resolve-hook.js'
import { JAMBONZ_SIGNATURE_HEADER, LIVECALL_SIGNATURE_HEADER, signLivecallRequest } from './sign-livecall-request.js'

/** Largest webhook answer read; a longer one is LIVECALL_ERR_WEBHOOK_BODY. */
export const WEBHOOK_MAX_BODY_BYTES = 1024 * 1024
export const WEBHOOK_DEFAULT_TIMEOUT_MS = 5000
const USER_AGENT = 'livecall/0.1'

export type WebhookOutcome = 'ok' | 'http_error' | 'timeout' | 'network_error' | 'bad_body'

/** One finished webhook request, as metrics see it. `url` never carries the GET payload. */
export interface WebhookResult {
  url: string
  method: string
  status?: number
  ms: number
  outcome: WebhookOutcome
}

export interface WebhookClientOptions {
  /** When set, every request carries X-Livecall-Signature (see verify-livecall-signature.ts). */
  secret?: string
  /** Whole-exchange limit (connect, headers and body), default 5000 ms. */
  timeoutMs?: number
  logger: Logger
  /** Called once per request that was not cancelled by the caller's signal. */
  onResult?: (r: WebhookResult) => void
}

export interface RawWebhookAnswer {
  status: number
  contentType: string
  body: string
}

/**
 * A dialect's request shape (XML applications, SPEC §6): a form-encoded body instead of
 * JSON, and extra headers computed from the exact URL requested (with the GET query)
 * and the exact body, e.g. X-Twilio-Signature.
 */
export interface RequestShape {
  form?: boolean
  sign?: (url: string, body: string | undefined) => Record<string, string>
}

interface ExchangeOptions extends RequestShape {
  signal?: AbortSignal
  accept: string
  /** false: the answer body is discarded (status callbacks) */
  readBody: boolean
}

/** The status a non-2xx answer had, for onResult (the error's own `status` is 502). */
const upstreamStatus = new WeakMap<LivecallError, number>()

const CODE_OUTCOME: Partial<Record<string, WebhookOutcome>> = {
  LIVECALL_ERR_WEBHOOK_TIMEOUT: 'timeout',
  LIVECALL_ERR_WEBHOOK_HTTP: 'http_error',
  LIVECALL_ERR_WEBHOOK_NETWORK: 'network_error',
  LIVECALL_ERR_WEBHOOK_BODY: 'bad_body',
}

/**
 * HTTP client for webhook applications and status callbacks. One keep-alive undici
 * Agent per client, so requests to the same application reuse connections.
 *
 * Every failure is a LivecallError with status 502 and one of the codes
 * LIVECALL_ERR_WEBHOOK_TIMEOUT / _HTTP / _NETWORK / _BODY. A request cancelled through the
 * caller's `signal` rejects with the signal's reason instead and is not reported to
 * `onResult`.
 */
export class WebhookClient {
  private readonly agent: Agent
  private readonly secret: string | undefined
  private readonly timeoutMs: number
  private readonly logger: Logger
  private readonly onResult: ((r: WebhookResult) => void) | undefined
  private readonly queue = new KeyedQueue()
  private closed = false

  constructor(opts: WebhookClientOptions) {
    this.secret = opts.secret === '' ? undefined : opts.secret
    this.timeoutMs = opts.timeoutMs ?? WEBHOOK_DEFAULT_TIMEOUT_MS
    this.logger = opts.logger
    this.onResult = opts.onResult
    this.agent = new Agent({ connect: { timeout: this.timeoutMs } })
  }

  /**
   * Requests an application document: POST sends `payload` as JSON, GET as a query
   * string. Resolves the parsed JSON, or `undefined` for 204 or an empty body (the caller
   * decides what no document means). A body that is not JSON is LIVECALL_ERR_WEBHOOK_BODY.
   */
  async fetchDocument(hook: ResolvedHook, payload: object, signal?: AbortSignal): Promise<unknown> {
    return this.observe(hook, signal, async () => {
      const answer = await this.exchange(hook, payload, { signal, accept: 'application/json', readBody: true })
      if (answer.status === 204 || answer.body.trim() === '') return { status: answer.status, value: undefined }
      try {
        return { status: answer.status, value: JSON.parse(answer.body) as unknown }
      } catch (err) {
        const error = webhookError(
          'LIVECALL_ERR_WEBHOOK_BODY',
          `webhook ${hook.method} ${hook.url} answered ${answer.status} with a body that is not JSON (content-type ${answer.contentType || 'none'})`,
          err,
        )
        upstreamStatus.set(error, answer.status)
        throw error
      }
    })
  }

  /**
   * Same transport as fetchDocument, answer returned as text (XML applications).
   * `form: true` sends a POST body as application/x-www-form-urlencoded instead of JSON.
   * Only 2xx answers resolve; others are LIVECALL_ERR_WEBHOOK_HTTP.
   */
  async fetchRaw(
    hook: ResolvedHook,
    payload: object,
    opts: RequestShape & { signal?: AbortSignal } = {},
  ): Promise<RawWebhookAnswer> {
    return this.observe(hook, opts.signal, async () => {
      const answer = await this.exchange(hook, payload, { ...opts, accept: '*/*', readBody: true })
      return { status: answer.status, value: answer }
    })
  }

  /** Sends a status callback. Never rejects: a failure is logged at warn with the URL and reason. */
  notify(hook: ResolvedHook, payload: object): Promise<void> {
    const sent = this.send(hook, payload)
    this.queue.track(sent)
    return sent
  }

  /**
   * Sends a status callback after every callback queued earlier under the same `key`
   * (e.g. the call_sid) has finished, successfully or not, so one call's callbacks arrive
   * in order. Never throws.
   */
  notifyOrdered(key: string, hook: ResolvedHook, payload: object, shape?: RequestShape): void {
    this.queue.push(key, () => this.send(hook, payload, shape))
  }

  /** Resolves when every notify/notifyOrdered issued so far (and meanwhile) has finished. */
  drain(): Promise<void> {
    return this.queue.drain()
  }

  /**
   * Waits for queued status callbacks, then closes the connection pool. Afterwards every
   * request fails with LIVECALL_ERR_WEBHOOK_NETWORK.
   */
  async close(): Promise<void> {
    if (this.closed) return
    await this.drain()
    this.closed = true
    await this.agent.close()
  }

  private async send(hook: ResolvedHook, payload: object, shape?: RequestShape): Promise<void> {
    try {
      await this.observe(hook, undefined, async () => {
        const answer = await this.exchange(hook, payload, { ...shape, accept: '*/*', readBody: false })
        return { status: answer.status, value: undefined }
      })
    } catch (err) {
      this.logger.warn(
        { url: hook.url, method: hook.method, reason: (err as Error).message },
        'status callback failed',
      )
    }
  }

  /** Times `run` and reports its outcome to onResult (not when the caller cancelled). */
  private async observe<T>(
    hook: ResolvedHook,
    signal: AbortSignal | undefined,
    run: () => Promise<{ status: number; value: T }>,
  ): Promise<T> {
    const started = performance.now()
    const report = (outcome: WebhookOutcome, status?: number): void => {
      const ms = Math.round((performance.now() - started) * 10) / 10
      this.logger.debug({ url: hook.url, method: hook.method, status, ms, outcome }, 'webhook')
      if (!this.onResult) return
      const result: WebhookResult = { url: hook.url, method: hook.method, ms, outcome }
      if (status !== undefined) result.status = status
      try {
        this.onResult(result)
      } catch (err) {
        this.logger.warn({ err }, 'webhook onResult listener threw')
      }
    }
    try {
      const { status, value } = await run()
      report('ok', status)
      return value
    } catch (err) {
      const outcome = err instanceof LivecallError ? CODE_OUTCOME[err.code] : undefined
      if (outcome !== undefined && !signal?.aborted) {
        report(outcome, upstreamStatus.get(err as LivecallError))
      }
      throw err
    }
  }

  private async exchange(hook: ResolvedHook, payload: object, opts: ExchangeOptions): Promise<RawWebhookAnswer> {
    const label = `${hook.method} ${hook.url}`
    if (this.closed) {
      throw webhookError('LIVECALL_ERR_WEBHOOK_NETWORK', `webhook ${label} not sent: the webhook client is closed`)
    }
    opts.signal?.throwIfAborted()

    const url = new URL(hook.url)
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: opts.accept }
    let body: string | undefined
    let signed: string
    if (hook.method === 'GET') {
      const query = encodeForm(payload)
      if (query !== '') url.search = url.search.length > 1 ? `${url.search.slice(1)}&${query}` : query
      signed = url.search.slice(1)
    } else {
      body = opts.form ? encodeForm(payload) : JSON.stringify(payload)
      headers['content-type'] = opts.form ? 'application/x-www-form-urlencoded' : 'application/json'
      signed = body
    }
    url.hash = ''
    if (opts.sign) Object.assign(headers, opts.sign(url.href, body))
    if (hook.username !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${hook.username}:${hook.password ?? ''}`).toString('base64')}`
    }
    if (this.secret !== undefined) {
      headers[LIVECALL_SIGNATURE_HEADER] = signLivecallRequest(this.secret, signed)
      headers[JAMBONZ_SIGNATURE_HEADER] = headers[LIVECALL_SIGNATURE_HEADER]
    }

    const timeout = AbortSignal.timeout(this.timeoutMs)
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout
    const failed = (err: unknown): never => {
      if (opts.signal?.aborted) throw opts.signal.reason
      if (err instanceof LivecallError) throw err
      if (timeout.aborted) {
        throw webhookError('LIVECALL_ERR_WEBHOOK_TIMEOUT', `webhook ${label} timed out after ${this.timeoutMs} ms`, err)
      }
      throw webhookError('LIVECALL_ERR_WEBHOOK_NETWORK', `webhook ${label} failed: ${describe(err)}`, err)
    }

    let response: Awaited<ReturnType<typeof request>>
    try {
      response = await request(url, { dispatcher: this.agent, method: hook.method, headers, body, signal })
    } catch (err) {
      return failed(err)
    }

    const status = response.statusCode
    const contentType = headerValue(response.headers['content-type'])
    try {
      if (status < 200 || status > 299) {
        await response.body.dump({ limit: 64 * 1024, signal })
        await nextTurn()
        throw webhookError('LIVECALL_ERR_WEBHOOK_HTTP', `webhook ${label} answered HTTP ${status}`)
      }
      let text = ''
      if (opts.readBody) text = await readCapped(response.body, label)
      else await response.body.dump({ limit: WEBHOOK_MAX_BODY_BYTES, signal })
      // undici hands the connection back to its pool only after the current I/O
      // callback; one turn of the event loop lets a request sent right after this one
      // (ordered status callbacks, an actionHook) reuse it instead of opening another.
      await nextTurn()
      return { status, contentType, body: text }
    } catch (err) {
      if (!response.body.destroyed) response.body.destroy()
      if (err instanceof LivecallError) upstreamStatus.set(err, status)
      return failed(err)
    }
  }
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }, label: string): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.length
    if (size > WEBHOOK_MAX_BODY_BYTES) {
      body.destroy()
      throw webhookError(
        'LIVECALL_ERR_WEBHOOK_BODY',
        `webhook ${label} answered a body larger than ${WEBHOOK_MAX_BODY_BYTES} bytes`,
      )
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

type WebhookErrorCode = Extract<ErrorCode, `LIVECALL_ERR_WEBHOOK_${string}`>

function webhookError(code: WebhookErrorCode, message: string, cause?: unknown): LivecallError {
  return new LivecallError(code, message, 502, cause === undefined ? undefined : { cause })
}

function headerValue(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '')
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    const inner = err.cause instanceof Error ? `: ${err.cause.message}` : ''
    return typeof code === 'string' && !err.message.includes(code) ? `${code} ${err.message}${inner}` : `${err.message}${inner}`
  }
  return String(err)
}
