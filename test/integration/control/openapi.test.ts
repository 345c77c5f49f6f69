import { describe, expect, it } from 'vitest'
import { ACCOUNT, api } from '../../support/control-call.js'
import { useLivecall } from '../../support/livecall-harness.js'

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace']
const UPDATE_PROPERTIES = ['call_hook', 'call_status_hook', 'child_call_hook', 'call_status', 'conf_hold_status', 'wait_hook', 'conf_mute_status',
  'listen_status', 'mute_status', 'whisper', 'hold_status', 'record', 'sip_request']

type Doc = { openapi: string; info: Record<string, unknown>; paths: Record<string, Record<string, any>>; components?: Record<string, any>; security?: unknown[] }

/** Every `$ref` in the document points at something that exists (OpenAPI 3 §4.8.23). */
function refsResolve(doc: unknown, node: unknown = doc, at = '#'): string[] {
  if (typeof node !== 'object' || node === null) return []
  const broken: string[] = []
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') {
      let target: unknown = doc
      for (const part of v.replace(/^#\//, '').split('/')) target = (target as Record<string, unknown> | undefined)?.[part]
      if (target === undefined) broken.push(`${at}: ${v}`)
    } else broken.push(...refsResolve(doc, v, `${at}/${k}`))
  }
  return broken
}

describe('OpenAPI description of the control API', () => {
  const h = useLivecall()

  it('GET /docs/json is an OpenAPI 3 document listing every native route with its schemas, without a key', async () => {
    const r = await api(h(), 'GET', '/docs/json', undefined, { auth: null })
    expect(r.status).toBe(200)
    expect(r.contentType).toMatch(/application\/json/)
    const doc = r.body as Doc
    // the OpenAPI 3 document's required fields and shapes
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/)
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) })
    expect(typeof doc.paths).toBe('object')
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(path.startsWith('/'), path).toBe(true)
      for (const [method, op] of Object.entries(item)) {
        if (!METHODS.includes(method)) continue
        expect(Object.keys(op.responses ?? {}).length, `${method} ${path} responses`).toBeGreaterThan(0)
        for (const p of op.parameters ?? []) {
          expect(['path', 'query', 'header', 'cookie']).toContain(p.in)
          if (p.in === 'path') {
            expect(p.required, `${path} ${p.name}`).toBe(true)
            expect(path).toContain(`{${p.name}}`)
          }
        }
      }
    }
    expect(refsResolve(doc)).toEqual([])
    expect(doc.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(doc.security).toEqual([{ bearer: [] }])

    // every native route
    const calls = doc.paths['/v1/Accounts/{account_sid}/Calls']
    const call = doc.paths['/v1/Accounts/{account_sid}/Calls/{call_sid}']
    expect(Object.keys(calls).filter((m) => METHODS.includes(m)).sort()).toEqual(['get', 'post'])
    expect(Object.keys(call).filter((m) => METHODS.includes(m)).sort()).toEqual(['delete', 'get', 'post', 'put'])
    // with their body schemas: the update lists every property, create its required fields
    for (const m of ['put', 'post']) {
      const schema = call[m].requestBody.content['application/json'].schema
      expect(Object.keys(schema.properties).sort()).toEqual([...UPDATE_PROPERTIES].sort())
      expect(schema.properties.mute_status.enum).toEqual(['mute', 'unmute'])
      expect(Object.keys(call[m].responses)).toEqual(expect.arrayContaining(['200', '204', '400', '401', '404', '409', '502']))
    }
    const create = calls.post.requestBody.content['application/json'].schema
    expect(create.required).toEqual(expect.arrayContaining(['from', 'to', 'call_hook']))
    expect(Object.keys(calls.post.responses)).toEqual(expect.arrayContaining(['201', '400', '401']))
    expect(calls.get.responses['200'].content['application/json'].schema.type).toBe('array')
    const error = call.put.responses['409'].content['application/json'].schema
    expect(error.properties.error.properties).toMatchObject({ code: { type: 'string' }, message: { type: 'string' } })
    // the hidden trailing-slash alias is not listed twice
    expect(doc.paths['/v1/Accounts/{account_sid}/Calls/']).toBeUndefined()
  })

  it('GET /docs serves the browsable page without a key', async () => {
    const res = await fetch(`${h().baseUrl}/docs`, { redirect: 'follow' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/text\/html/)
    const html = await res.text()
    expect(html).toMatch(/swagger-ui/i)
    const asset = await fetch(`${h().baseUrl}/docs/static/swagger-ui-bundle.js`)
    expect(asset.status).toBe(200)
    expect((await asset.text()).length).toBeGreaterThan(1000)
  })

  it('/docs needs no key while every /v1 route does', async () => {
    for (const path of ['/docs', '/docs/json']) {
      expect((await api(h(), 'GET', path, undefined, { auth: null })).status, path).toBe(200)
      expect((await api(h(), 'GET', path, undefined, { auth: 'Bearer wrong' })).status, path).toBe(200)
    }
    const doc = (await api(h(), 'GET', '/docs/json')).body as Doc
    const sid = '00000000-0000-4000-8000-000000000000'
    let checked = 0
    for (const [path, item] of Object.entries(doc.paths)) {
      if (!path.startsWith('/v1/')) continue
      const url = path.replace('{account_sid}', ACCOUNT).replace('{call_sid}', sid)
      for (const method of Object.keys(item).filter((m) => METHODS.includes(m))) {
        const body = method === 'get' || method === 'delete' ? undefined : { mute_status: 'mute' }
        const r = await api(h(), method.toUpperCase(), url, body, { auth: null })
        expect(r.status, `${method} ${path}`).toBe(401)
        expect(r.body.error.code).toBe('LIVECALL_ERR_UNAUTHORIZED')
        checked++
      }
    }
    expect(checked).toBe(7) // list, create, fetch, update (PUT, POST), delete, and the event stream
  })
})
