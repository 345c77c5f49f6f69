import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LivecallError } from '../../../src/errors/index.js'
import {
  resolveHook,
  signLivecallRequest,
  verifyLivecallSignature,
  WebhookClient,
  type ResolvedHook,
  type WebhookResult,
} from '../../../src/app/webhook/index.js'

interface Received {
  method: string
  url: string
  path: string
  query: string
  headers: IncomingMessage['headers']
  body: string
}

type Handler = (req: Received, res: ServerResponse) => void

/** A real HTTP server on 127.0.0.1 that records every request and answers with `handler`. */
class TestServer {
  readonly received: Received[] = []
  connections = 0
  handler: Handler = (_req, res) => json(res, 200, [])
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = req.url ?? '/'
      const q = url.indexOf('?')
      const rec: Received = {
        method: req.method ?? '',
        url,
        path: q < 0 ? url : url.slice(0, q),
        query: q < 0 ? '' : url.slice(q + 1),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      this.received.push(rec)
      this.handler(rec, res)
    })
  })

  async start(): Promise<this> {
    this.server.on('connection', () => this.connections++)
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return this
  }

  url(path = '/'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(value))
}

async function rejection(p: Promise<unknown>): Promise<LivecallError> {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(LivecallError)
    return err as LivecallError
  }
  throw new Error('expected a rejection')
}

const logger = pino({ level: 'silent' })
const post = (url: string): ResolvedHook => ({ url, method: 'POST' })

describe('resolveHook', () => {
  const base: ResolvedHook = { url: 'https://app.example.com/voice/incoming?x=1', method: 'POST', username: 'u', password: 'p' }

  it.each([
    ['/digits', 'https://app.example.com/digits'],
    ['digits', 'https://app.example.com/voice/digits'],
    ['./digits?a=b', 'https://app.example.com/voice/digits?a=b'],
    ['../menu', 'https://app.example.com/menu'],
    ['https://other.example.net/x', 'https://other.example.net/x'],
    ['http://app.example.com:8080/y#frag', 'http://app.example.com:8080/y'],
  ])('resolves %s against the base hook to %s', (hook, expected) => {
    expect(resolveHook(hook, base).url).toBe(expected)
  })

  it('defaults the method to POST and upper-cases a given one', () => {
    expect(resolveHook('https://a.example/x').method).toBe('POST')
    expect(resolveHook({ url: 'https://a.example/x', method: 'get' }).method).toBe('GET')
  })

  it('a same-origin relative hook inherits the base credentials', () => {
    expect(resolveHook('/digits', base)).toEqual({
      url: 'https://app.example.com/digits',
      method: 'POST',
      username: 'u',
      password: 'p',
    })
  })

  it('a hook on another origin never receives the base credentials', () => {
    expect(resolveHook('https://other.example.net/x', base)).toEqual({ url: 'https://other.example.net/x', method: 'POST' })
    expect(resolveHook('//other.example.net/x', base).username).toBeUndefined()
    expect(resolveHook('http://app.example.com/x', base).username).toBeUndefined()
  })

  it("a hook's own credentials win over the base's", () => {
    expect(resolveHook({ url: '/x', username: 'me', password: 'pw' }, base)).toMatchObject({ username: 'me', password: 'pw' })
  })

  it('credentials written in the URL move to username/password', () => {
    expect(resolveHook('https://us%40r:p%3Ass@a.example/x')).toEqual({
      url: 'https://a.example/x',
      method: 'POST',
      username: 'us@r',
      password: 'p:ss',
    })
  })

  it('accepts a string base', () => {
    expect(resolveHook('digits', 'http://a.example/app/start').url).toBe('http://a.example/app/digits')
  })

  it.each([
    ['a relative URL without base', '/digits', undefined],
    ['an empty URL', '', base],
    ['a blank URL', '   ', base],
    ['a non-http scheme', 'ftp://a.example/x', base],
    ['a ws: URL', 'ws://a.example/x', undefined],
    ['a relative URL against a non-http base', 'x', 'file:///tmp/app'],
    ['a relative URL against a relative base', 'x', '/app'],
  ])('refuses %s with LIVECALL_ERR_WEBHOOK_URL (400)', (_name, hook, b) => {
    let caught: unknown
    try {
      resolveHook(hook, b)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(LivecallError)
    expect((caught as LivecallError).code).toBe('LIVECALL_ERR_WEBHOOK_URL')
    expect((caught as LivecallError).status).toBe(400)
    expect((caught as LivecallError).message).toContain(JSON.stringify(hook))
  })
})

describe('verifyLivecallSignature', () => {
  it('accepts a fresh signature and refuses a stale one', () => {
    expect(verifyLivecallSignature('s3cret', signLivecallRequest('s3cret', 'abc'), 'abc')).toBe(true)
    const old = Math.floor(Date.now() / 1000) - 301
    expect(verifyLivecallSignature('s3cret', signLivecallRequest('s3cret', 'abc', old), 'abc')).toBe(false)
    expect(verifyLivecallSignature('s3cret', signLivecallRequest('s3cret', 'abc', old), 'abc', 600)).toBe(true)
  })

  it('refuses malformed headers', () => {
    for (const h of [undefined, '', 't=1', 'v1=00', 't=x,v1=zz', 'garbage']) {
      expect(verifyLivecallSignature('s3cret', h, 'abc')).toBe(false)
    }
  })
})

describe('WebhookClient', () => {
  let server: TestServer
  let client: WebhookClient
  let results: WebhookResult[]

  beforeEach(async () => {
    server = await new TestServer().start()
    results = []
    client = new WebhookClient({ logger, timeoutMs: 1000, onResult: (r) => results.push(r) })
  })

  afterEach(async () => {
    await client.close()
    await server.stop()
  })

  it('POSTs the payload as JSON with user-agent and accept headers and returns the parsed answer', async () => {
    server.handler = (_req, res) => json(res, 200, [{ verb: 'say', text: 'hi' }])
    const doc = await client.fetchDocument(post(server.url('/incoming')), { call_sid: 'abc', sip: { from: 'x' } })
    expect(doc).toEqual([{ verb: 'say', text: 'hi' }])
    const [req] = server.received
    expect(req.method).toBe('POST')
    expect(req.path).toBe('/incoming')
    expect(req.headers['content-type']).toBe('application/json')
    expect(req.headers['user-agent']).toBe('livecall/0.1')
    expect(req.headers.accept).toBe('application/json')
    expect(req.headers['x-livecall-signature']).toBeUndefined()
    expect(JSON.parse(req.body)).toEqual({ call_sid: 'abc', sip: { from: 'x' } })
  })

  it('GET sends the payload in the query string, nested objects JSON-encoded, after the URL\'s own query', async () => {
    await client.fetchDocument({ url: server.url('/app?tenant=7'), method: 'GET' }, {
      call_sid: 'abc',
      duration: 3,
      missing: undefined,
      sip: { 'x-a': 'b c' },
    })
    const [req] = server.received
    expect(req.method).toBe('GET')
    expect(req.body).toBe('')
    expect(req.headers['content-type']).toBeUndefined()
    const q = new URLSearchParams(req.query)
    expect([...q.keys()]).toEqual(['tenant', 'call_sid', 'duration', 'sip'])
    expect(q.get('tenant')).toBe('7')
    expect(q.get('duration')).toBe('3')
    expect(JSON.parse(q.get('sip') ?? '')).toEqual({ 'x-a': 'b c' })
  })

  it('sends HTTP Basic auth when the hook has a username', async () => {
    await client.fetchDocument({ ...post(server.url()), username: 'alice', password: 'pa:ss' }, {})
    expect(server.received[0].headers.authorization).toBe(`Basic ${Buffer.from('alice:pa:ss').toString('base64')}`)
  })

  it('fetchRaw with form: true POSTs application/x-www-form-urlencoded and returns the text', async () => {
    server.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' })
      res.end('<Response><Hangup/></Response>')
    }
    const answer = await client.fetchRaw(post(server.url('/twiml')), { CallSid: 'CA1', To: '+1 555' }, { form: true })
    expect(answer).toEqual({ status: 200, contentType: 'application/xml', body: '<Response><Hangup/></Response>' })
    expect(server.received[0].headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(server.received[0].headers.accept).toBe('*/*')
    expect(server.received[0].body).toBe('CallSid=CA1&To=%2B1+555')
  })

  describe('signing', () => {
    const secret = 'whsec-test'
    beforeEach(async () => {
      await client.close()
      client = new WebhookClient({ logger, secret })
    })

    it('a signed POST verifies against the exact body, and not with a wrong secret or a tampered body', async () => {
      await client.fetchDocument(post(server.url()), { call_sid: 'abc', n: 1 })
      const { headers, body } = server.received[0]
      const header = headers['x-livecall-signature'] as string
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/)
      expect(verifyLivecallSignature(secret, header, body)).toBe(true)
      expect(verifyLivecallSignature('other-secret', header, body)).toBe(false)
      expect(verifyLivecallSignature(secret, header, body.replace('abc', 'abd'))).toBe(false)
    })

    it('a signed GET verifies against the query string without "?"', async () => {
      await client.fetchDocument({ url: server.url('/x?a=1'), method: 'GET' }, { call_sid: 'abc' })
      const { headers, query } = server.received[0]
      expect(verifyLivecallSignature(secret, headers['x-livecall-signature'] as string, query)).toBe(true)
      expect(verifyLivecallSignature(secret, headers['x-livecall-signature'] as string, `?${query}`)).toBe(false)
    })

    it('status callbacks are signed too', async () => {
      await client.notify(post(server.url('/status')), { call_status: 'completed' })
      const { headers, body } = server.received[0]
      expect(verifyLivecallSignature(secret, headers['x-livecall-signature'] as string, body)).toBe(true)
    })
  })

  it('204 and an empty 2xx body resolve undefined', async () => {
    server.handler = (_req, res) => {
      res.writeHead(204)
      res.end()
    }
    expect(await client.fetchDocument(post(server.url()), {})).toBeUndefined()
    server.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('')
    }
    expect(await client.fetchDocument(post(server.url()), {})).toBeUndefined()
  })

  it('a JSON body without a JSON content-type is accepted', async () => {
    server.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('[{"verb":"hangup"}]')
    }
    expect(await client.fetchDocument(post(server.url()), {})).toEqual([{ verb: 'hangup' }])
  })

  it('a server that never answers is LIVECALL_ERR_WEBHOOK_TIMEOUT after about timeoutMs', async () => {
    server.handler = () => undefined
    const started = Date.now()
    const err = await rejection(client.fetchDocument(post(server.url('/slow')), {}))
    const elapsed = Date.now() - started
    expect(err.code).toBe('LIVECALL_ERR_WEBHOOK_TIMEOUT')
    expect(err.status).toBe(502)
    expect(err.message).toContain(server.url('/slow'))
    expect(elapsed).toBeGreaterThanOrEqual(900)
    expect(elapsed).toBeLessThan(2500)
    expect(results).toHaveLength(1)
    expect(results[0]).toMatchObject({ outcome: 'timeout', url: server.url('/slow'), method: 'POST' })
  })

  it('a body that stalls midway is also a timeout', async () => {
    server.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('[{"verb":')
    }
    const err = await rejection(client.fetchDocument(post(server.url()), {}))
    expect(err.code).toBe('LIVECALL_ERR_WEBHOOK_TIMEOUT')
  })

  it('500 is LIVECALL_ERR_WEBHOOK_HTTP naming the status', async () => {
    server.handler = (_req, res) => json(res, 500, { error: 'boom' })
    const err = await rejection(client.fetchDocument(post(server.url('/app')), {}))
    expect(err.code).toBe('LIVECALL_ERR_WEBHOOK_HTTP')
    expect(err.status).toBe(502)
    expect(err.message).toContain('500')
    expect(err.message).toContain(server.url('/app'))
    expect(results[0]).toMatchObject({ outcome: 'http_error', status: 500 })
  })

  it('a redirect is not followed and is LIVECALL_ERR_WEBHOOK_HTTP', async () => {
    server.handler = (_req, res) => {
      res.writeHead(302, { location: '/elsewhere' })
      res.end()
    }
    expect((await rejection(client.fetchRaw(post(server.url()), {}))).code).toBe('LIVECALL_ERR_WEBHOOK_HTTP')
  })

  it('a body that is not JSON is LIVECALL_ERR_WEBHOOK_BODY', async () => {
    server.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<html>hello</html>')
    }
    const err = await rejection(client.fetchDocument(post(server.url()), {}))
    expect(err.code).toBe('LIVECALL_ERR_WEBHOOK_BODY')
    expect(err.message).toContain('text/html')
    expect(results[0]).toMatchObject({ outcome: 'bad_body', status: 200 })
  })

  it('a body over 1 MiB is LIVECALL_ERR_WEBHOOK_BODY', async () => {
    server.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(['x'.repeat(1024 * 1024)]))
    }
    const err = await rejection(client.fetchRaw(post(server.url()), {}))
    expect(err.code).toBe('LIVECALL_ERR_WEBHOOK_BODY')
    expect(err.message).toContain('1048576')
  })

  it('a refused connection is LIVECALL_ERR_WEBHOOK_NETWORK', async () => {
    const url = server.url('/gone')
    await server.stop()
    const err = await rejection(client.fetchDocument(post(url), {}))
    expect(err.code).toBe('LIVECALL_ERR_WEBHOOK_NETWORK')
    expect(err.status).toBe(502)
    expect(err.message).toContain(url)
    expect(err.message).toContain('ECONNREFUSED')
    expect(results[0]).toMatchObject({ outcome: 'network_error', url })
    server = await new TestServer().start()
  })

  it("the caller's signal cancels the request with the signal's reason, unreported", async () => {
    server.handler = () => undefined
    const ac = new AbortController()
    const pending = client.fetchDocument(post(server.url()), {}, ac.signal)
    setTimeout(() => ac.abort(new Error('call ended')), 50)
    await expect(pending).rejects.toThrow('call ended')
    expect(results).toEqual([])
  })

  it('onResult gets the outcome, status and latency of a successful request', async () => {
    server.handler = (_req, res) => setTimeout(() => json(res, 200, []), 60)
    await client.fetchDocument(post(server.url('/a')), {})
    expect(results).toHaveLength(1)
    expect(results[0]).toMatchObject({ url: server.url('/a'), method: 'POST', status: 200, outcome: 'ok' })
    expect(results[0].ms).toBeGreaterThanOrEqual(50)
    expect(results[0].ms).toBeLessThan(1000)
  })

  it('two requests reuse one TCP connection', async () => {
    await client.fetchDocument(post(server.url('/one')), {})
    await client.fetchDocument({ url: server.url('/two'), method: 'GET' }, { a: 1 })
    await client.notify(post(server.url('/three')), {})
    expect(server.received.map((r) => r.path)).toEqual(['/one', '/two', '/three'])
    expect(server.connections).toBe(1)
  })

  it('the connection is still reused after an HTTP error answer', async () => {
    server.handler = (_req, res) => json(res, 500, { error: 'x' })
    await rejection(client.fetchDocument(post(server.url()), {}))
    server.handler = (_req, res) => json(res, 200, [])
    await client.fetchDocument(post(server.url()), {})
    expect(server.connections).toBe(1)
  })

  describe('status callbacks', () => {
    it('notify never rejects and logs the failure at warn with url and reason', async () => {
      const lines: any[] = []
      const log = pino({ level: 'warn' }, { write: (s: string) => lines.push(JSON.parse(s)) })
      const c = new WebhookClient({ logger: log, timeoutMs: 500 })
      server.handler = (_req, res) => json(res, 503, {})
      await expect(c.notify(post(server.url('/status')), { call_status: 'ringing' })).resolves.toBeUndefined()
      await c.close()
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatchObject({ level: 40, url: server.url('/status') })
      expect(lines[0].reason).toContain('503')
    })

    it('notifyOrdered delivers one key\'s callbacks in order even when the first is answered slowly', async () => {
      const arrivals: string[] = []
      server.handler = (req, res) => {
        const { call_status } = JSON.parse(req.body) as { call_status: string }
        arrivals.push(call_status)
        setTimeout(() => json(res, 200, {}), call_status === 'ringing' ? 300 : 0)
      }
      const hook = post(server.url('/status'))
      client.notifyOrdered('call-1', hook, { call_status: 'ringing' })
      client.notifyOrdered('call-1', hook, { call_status: 'in-progress' })
      client.notifyOrdered('call-1', hook, { call_status: 'completed' })
      await client.drain()
      expect(arrivals).toEqual(['ringing', 'in-progress', 'completed'])
    })

    it('a failed callback does not stop the next one for the same key', async () => {
      const arrivals: string[] = []
      server.handler = (req, res) => {
        arrivals.push(req.path)
        json(res, req.path === '/bad' ? 500 : 200, {})
      }
      client.notifyOrdered('k', post(server.url('/bad')), {})
      client.notifyOrdered('k', post(server.url('/good')), {})
      await client.drain()
      expect(arrivals).toEqual(['/bad', '/good'])
      expect(results.map((r) => r.outcome)).toEqual(['http_error', 'ok'])
    })

    it('different keys do not wait for each other and finished keys leave no entry', async () => {
      const arrivals: string[] = []
      server.handler = (req, res) => {
        arrivals.push(req.path)
        setTimeout(() => json(res, 200, {}), req.path === '/a1' ? 300 : 0)
      }
      client.notifyOrdered('a', post(server.url('/a1')), {})
      client.notifyOrdered('b', post(server.url('/b1')), {})
      expect((client as unknown as { queue: { size: number } }).queue.size).toBe(2)
      await client.drain()
      expect(arrivals).toEqual(['/a1', '/b1'])
      const bDone = results.findIndex((r) => r.url.endsWith('/b1'))
      const aDone = results.findIndex((r) => r.url.endsWith('/a1'))
      expect(bDone).toBeLessThan(aDone)
      expect((client as unknown as { queue: { size: number } }).queue.size).toBe(0)
    })

    it('close() waits for queued callbacks, then requests are refused', async () => {
      server.handler = (_req, res) => setTimeout(() => json(res, 200, {}), 100)
      client.notifyOrdered('k', post(server.url('/s1')), {})
      client.notifyOrdered('k', post(server.url('/s2')), {})
      await client.close()
      expect(server.received.map((r) => r.path)).toEqual(['/s1', '/s2'])
      const err = await rejection(client.fetchDocument(post(server.url()), {}))
      expect(err.code).toBe('LIVECALL_ERR_WEBHOOK_NETWORK')
      expect(err.message).toContain('closed')
    })
  })
})
