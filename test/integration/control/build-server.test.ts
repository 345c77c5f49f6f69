import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { buildServer } from '../../../src/control/build-server.js'
import { LivecallError } from '../../../src/errors/index.js'

const logger = pino({ level: 'silent' })

describe('control plane basics', () => {
  it('GET /health is 200 while SIP is connected', async () => {
    const app = buildServer({ logger, health: () => ({ status: 'ok', sip: { connected: true }, uptimeSeconds: 1 }) })
    const r = await app.inject({ method: 'GET', url: '/health' })
    expect(r.statusCode).toBe(200)
    expect(r.json()).toMatchObject({ status: 'ok', sip: { connected: true } })
  })

  it('GET /health is 503 while draining or disconnected', async () => {
    const app = buildServer({ logger, health: () => ({ status: 'draining', sip: { connected: true }, uptimeSeconds: 1 }) })
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(503)
  })

  it('an unknown route is a JSON 404 with a code', async () => {
    const app = buildServer({ logger, health: () => ({ status: 'ok', sip: { connected: true }, uptimeSeconds: 1 }) })
    const r = await app.inject({ method: 'GET', url: '/nope' })
    expect(r.statusCode).toBe(404)
    expect(r.json()).toEqual({ error: { code: 'LIVECALL_ERR_NOT_FOUND', message: 'no route GET /nope' } })
  })

  it('a LivecallError thrown by a route becomes its status and code', async () => {
    const app = buildServer({ logger, health: () => ({ status: 'ok', sip: { connected: true }, uptimeSeconds: 1 }) })
    app.get('/conflict', async () => {
      throw new LivecallError('LIVECALL_ERR_CALL_STATE', 'the call is not answered', 409)
    })
    const r = await app.inject({ method: 'GET', url: '/conflict' })
    expect(r.statusCode).toBe(409)
    expect(r.json()).toEqual({ error: { code: 'LIVECALL_ERR_CALL_STATE', message: 'the call is not answered' } })
  })

  it('a malformed JSON body is a 400, never a 5xx', async () => {
    const app = buildServer({ logger, health: () => ({ status: 'ok', sip: { connected: true }, uptimeSeconds: 1 }) })
    app.post('/echo', async (req) => req.body)
    const r = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":' })
    expect(r.statusCode).toBe(400)
    expect(r.json().error.code).toBeTypeOf('string')
  })

  it('an unexpected error is a 500 that leaks no detail', async () => {
    const app = buildServer({ logger, health: () => ({ status: 'ok', sip: { connected: true }, uptimeSeconds: 1 }) })
    app.get('/boom', async () => {
      throw new Error('secret internals')
    })
    const r = await app.inject({ method: 'GET', url: '/boom' })
    expect(r.statusCode).toBe(500)
    expect(r.body).not.toContain('secret internals')
  })
})
