import http from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { reply, WebhookScaffold } from '../../support/webhook-scaffold.js'

let app: WebhookScaffold
afterEach(async () => {
  await app?.close()
})

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

describe('WebhookScaffold (a real HTTP server)', () => {
  it('serves a verb document and records the POST that fetched it', async () => {
    app = await WebhookScaffold.start()
    const doc = [{ verb: 'say', text: 'hello' }, { verb: 'hangup' }]
    app.route('/call', doc)
    const res = await post(app.url('/call?x=1'), { call_sid: 'c1', from: '+1555' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.json()).toEqual(doc)
    const [req] = app.requests('/call')
    expect(req).toMatchObject({ method: 'POST', path: '/call', query: { x: '1' }, body: { call_sid: 'c1', from: '+1555' } })
    expect(req.rawBody).toBe('{"call_sid":"c1","from":"+1555"}')
    expect(req.headers['content-type']).toBe('application/json')
  })

  it('a function handler sees the request; form bodies are parsed', async () => {
    app = await WebhookScaffold.start()
    app.route('/digits', (r) => [{ verb: 'say', text: `you pressed ${r.body.Digits}` }])
    const res = await fetch(app.url('/digits'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Digits=1234&CallSid=c2',
    })
    expect(await res.json()).toEqual([{ verb: 'say', text: 'you pressed 1234' }])
    expect(app.requests('/digits')[0].body).toEqual({ Digits: '1234', CallSid: 'c2' })
  })

  it('answers 500, non-JSON text and unknown paths (404, recorded)', async () => {
    app = await WebhookScaffold.start()
    app.route('/boom', { status: 500, body: { error: 'down' } })
    app.route('/text', { status: 200, body: 'not json at all', contentType: 'text/html' })
    app.route('/doc-with-status-key', reply({ body: { status: 'x' } }))
    const boom = await post(app.url('/boom'), {})
    expect(boom.status).toBe(500)
    const text = await fetch(app.url('/text'))
    expect(text.headers.get('content-type')).toBe('text/html')
    expect(await text.text()).toBe('not json at all')
    expect(await (await fetch(app.url('/doc-with-status-key'))).json()).toEqual({ status: 'x' })
    expect((await fetch(app.url('/nowhere'))).status).toBe(404)
    expect(app.requests().map((r) => `${r.method} ${r.path}`)).toEqual(['POST /boom', 'GET /text', 'GET /doc-with-status-key', 'GET /nowhere'])
  })

  it('delayMs delays; Infinity never answers, and close() still returns', async () => {
    app = await WebhookScaffold.start()
    app.route('/slow', { status: 200, body: [], delayMs: 200 })
    app.route('/never', { delayMs: Infinity })
    const t0 = Date.now()
    await (await fetch(app.url('/slow'))).json()
    expect(Date.now() - t0).toBeGreaterThanOrEqual(180)
    await expect(fetch(app.url('/never'), { signal: AbortSignal.timeout(300) })).rejects.toThrow()
    expect(app.requests('/never')).toHaveLength(1)
  })

  it('status callbacks are answered 200 and filtered by call_sid; waitFor lists what came', async () => {
    app = await WebhookScaffold.start({ statusPath: '/cb' })
    const later = app.waitForStatus('completed', 'c1', 2000)
    for (const s of ['trying', 'in-progress', 'completed']) expect((await post(app.url('/cb'), { call_sid: 'c1', call_status: s })).status).toBe(200)
    await post(app.url('/cb'), { call_sid: 'c2', call_status: 'failed' })
    expect((await later).body.call_status).toBe('completed')
    expect(app.statuses('c1')).toEqual(['trying', 'in-progress', 'completed'])
    expect(app.statusCallbacks()).toHaveLength(4)
    await expect(app.waitFor((r) => r.path === '/missing', 100, 'the missing hook')).rejects.toThrow(/the missing hook[\s\S]*POST \/cb \{"call_sid":"c2"/)
  })

  it('keeps connections alive', async () => {
    app = await WebhookScaffold.start()
    app.route('/a', [])
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const ports: number[] = []
    for (let i = 0; i < 2; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = http.request(app.url('/a'), { agent, method: 'POST' }, (res) => {
          ports.push(req.socket!.localPort!)
          res.resume()
          res.on('end', resolve)
        })
        req.on('error', reject)
        req.end('{}')
      })
    }
    agent.destroy()
    expect(ports[0]).toBe(ports[1])
  })
})
