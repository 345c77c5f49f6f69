import { describe, expect, it } from 'vitest'
import { useLivecall, type LivecallHarness } from '../../support/livecall-harness.js'
import { ACCOUNT, OTHER_ACCOUNT, api, callIn, callPath, update, type ApiAnswer, type InboundCall } from '../../support/control-call.js'

/** an answered call that just waits (the app: answer, pause 60 s) */
const WAITING_APP = [{ verb: 'answer' }, { verb: 'pause', length: 60 }]
const HOOK = 'http://127.0.0.1:9/app'
const SAY = { verb: 'say', text: 'hello' }

/** SPEC §5: `{ error: { code, message } }`, nothing else. */
function expectError(r: ApiAnswer, status: number, code: string, ...named: string[]): void {
  expect(r.status, r.text).toBe(status)
  expect(r.contentType).toMatch(/^application\/json/)
  expect(Object.keys(r.body)).toEqual(['error'])
  expect(Object.keys(r.body.error).sort()).toEqual(['code', 'message'])
  expect(r.body.error.code).toBe(code)
  expect(typeof r.body.error.message).toBe('string')
  for (const n of named) expect(r.body.error.message).toContain(n)
}

/** The call still runs as before: listed in-progress, no BYE and no re-INVITE reached the caller. */
async function expectUntouched(h: LivecallHarness, call: InboundCall): Promise<void> {
  const r = await api(h, 'GET', callPath(call.sid))
  expect(r.status).toBe(200)
  expect(r.body).toMatchObject({ call_sid: call.sid, call_status: 'in-progress' })
  expect(call.phone.messages.filter((m) => /^(BYE|INVITE|INFO|NOTIFY|MESSAGE|UPDATE|OPTIONS) /.test(m))).toEqual([])
  expect(h.scaffold.requests().filter((q) => q.path !== '/app' && q.path !== '/status')).toEqual([])
}

/** Runs `body` against a real answered call, then checks the call was left alone and hangs it up. */
async function withCall(h: LivecallHarness, body: (call: InboundCall) => Promise<void>): Promise<void> {
  const call = await callIn(h, WAITING_APP)
  try {
    await body(call)
    await expectUntouched(h, call)
  } finally {
    await call.end()
  }
}

/** Each combination rule of parse-native-update.ts (and the schema), with the words its 400 must name. */
const RULES: [string, unknown, string[]][] = [
  ['call_status with listen_status', { call_status: 'completed', listen_status: 'pause' }, ['call_status', 'listen_status', 'cannot be combined']],
  ['call_status with mute_status', { call_status: 'completed', mute_status: 'mute' }, ['call_status', 'mute_status']],
  ['mute_status with hold_status', { mute_status: 'mute', hold_status: 'hold' }, ['mute_status', 'hold_status']],
  ['listen_status with mute_status', { listen_status: 'pause', mute_status: 'mute' }, ['listen_status', 'mute_status']],
  ['call_hook with call_status', { call_hook: HOOK, call_status: 'completed' }, ['call_hook', 'call_status']],
  ['child_call_hook with mute_status', { child_call_hook: HOOK, mute_status: 'mute' }, ['child_call_hook', 'mute_status']],
  ['record with sip_request', { record: { action: 'start' }, sip_request: { method: 'INFO' } }, ['record', 'sip_request']],
  ['conf_hold_status with conf_mute_status', { conf_hold_status: 'hold', conf_mute_status: 'mute' }, ['conf_hold_status', 'conf_mute_status']],
  ['whisper with call_status', { whisper: SAY, call_status: 'completed' }, ['whisper', 'call_status']],
  ['whisper with call_hook', { whisper: SAY, call_hook: HOOK }, ['whisper', 'call_hook']],
  ['whisper with hold_status', { whisper: SAY, hold_status: 'hold' }, ['whisper', 'hold_status']],
  ['call_status_hook alone', { call_status_hook: HOOK }, ['call_status_hook', 'call_hook']],
  ['call_status_hook without call_hook', { call_status_hook: HOOK, mute_status: 'mute' }, ['call_status_hook', 'only allowed with call_hook']],
  ['wait_hook alone', { wait_hook: HOOK }, ['wait_hook', 'hold_status']],
  ['wait_hook without a hold', { wait_hook: HOOK, mute_status: 'mute' }, ['wait_hook', 'conf_hold_status', 'hold_status']],
  ['an unknown property', { mute_status: 'mute', mutestatus: 'mute' }, ['mutestatus']],
  ['two unknown properties', { foo: 1, bar: 2 }, ['foo', 'bar']],
  ['call_status not an allowed value', { call_status: 'done' }, ['call_status']],
  ['listen_status not an allowed value', { listen_status: 'stop' }, ['listen_status']],
  ['mute_status not an allowed value', { mute_status: true }, ['mute_status']],
  ['hold_status not an allowed value', { hold_status: 'on' }, ['hold_status']],
  ['conf_hold_status not an allowed value', { conf_hold_status: 'yes' }, ['conf_hold_status']],
  ['conf_mute_status not an allowed value', { conf_mute_status: 'silence' }, ['conf_mute_status']],
  ['call_hook not a URL', { call_hook: 'not a url' }, ['call_hook']],
  ['call_hook not http(s)', { call_hook: 'ftp://example.com/app' }, ['call_hook']],
  ['call_hook object without url', { call_hook: { method: 'POST' } }, ['call_hook']],
  ['call_hook with a bad method', { call_hook: { url: HOOK, method: 'PUT' } }, ['call_hook']],
  ['wait_hook not a URL', { hold_status: 'hold', wait_hook: 'music.mp3' }, ['wait_hook']],
  ['an empty object', {}, ['nothing to do']],
  ['whisper with a verb that is not say or play', { whisper: { verb: 'dial', target: [] } }, ['whisper']],
  ['whisper an empty array', { whisper: [] }, ['whisper']],
  ['whisper say without text', { whisper: { verb: 'say' } }, ['whisper']],
  ['sip_request with a method not allowed in a dialog', { sip_request: { method: 'BYE' } }, ['sip_request.method']],
  ['sip_request without a method', { sip_request: { body: 'x' } }, ['method']],
  ['sip_request with a CRLF in a header', { sip_request: { method: 'INFO', headers: { 'X-Evil': 'a\r\nBYE: x' } } }, ['sip_request.headers.X-Evil']],
  ['sip_request with a bad header name', { sip_request: { method: 'INFO', headers: { 'X Evil': 'a' } } }, ['sip_request.headers']],
  ['sip_request with a non-string body', { sip_request: { method: 'INFO', body: 42 } }, ['body']],
  ['sip_request with an unknown property', { sip_request: { method: 'INFO', contenttype: 'text/plain' } }, ['sip_request', 'contenttype']],
  ['sip_request with both body and content', { sip_request: { method: 'INFO', body: 'a', content: 'b' } }, ['body or content']],
  ['sip_request with a bad content_type', { sip_request: { method: 'INFO', content: 'a', content_type: 'text\r\nX: y' } }, ['sip_request.content_type']],
  ['record with a bad action', { record: { action: 'go' } }, ['record']],
  ['record without an action', { record: { format: 'wav' } }, ['action']],
  ['record with an unknown property', { record: { action: 'start', channels: 2 } }, ['record', 'channels']],
  ['record with a bad format', { record: { action: 'start', format: 'ogg' } }, ['record']],
]

describe('native control API: every refused request is a 4xx with { error: { code, message } } and leaves the call alone', () => {
  const h = useLivecall()

  describe('400: the combination rules and bad values, naming the field or the conflict', () => {
    it.each(RULES)('%s', async (_name, body, named) => {
      await withCall(h(), async (call) => {
        for (const method of ['PUT', 'POST']) expectError(await api(h(), method, callPath(call.sid), body), 400, 'LIVECALL_ERR_BAD_REQUEST', ...named)
      })
    })

    it('an array body', async () => {
      await withCall(h(), async (call) => {
        expectError(await update(h(), call.sid, [{ mute_status: 'mute' }]), 400, 'LIVECALL_ERR_BAD_REQUEST', 'object')
      })
    })

    it('malformed JSON, and an empty JSON body', async () => {
      await withCall(h(), async (call) => {
        expectError(await update(h(), call.sid, undefined, { raw: '{"mute_status": "mute"' }), 400, 'LIVECALL_ERR_BAD_REQUEST')
        expectError(await update(h(), call.sid, undefined, { raw: '' }), 400, 'LIVECALL_ERR_BAD_REQUEST')
      })
    })
  })

  describe('401: no key, a wrong key, another scheme — on every route', () => {
    it.each([
      ['no Authorization header', null],
      ['a wrong key', 'Bearer wrong-key'],
      ['an empty bearer', 'Bearer '],
      ['Basic instead of Bearer', `Basic ${Buffer.from(`${ACCOUNT}:test-api-key`).toString('base64')}`],
    ])('%s', async (_name, auth) => {
      await withCall(h(), async (call) => {
        const routes: [string, string, unknown][] = [
          ['GET', `/v1/Accounts/${ACCOUNT}/Calls`, undefined],
          ['GET', `/v1/Accounts/${ACCOUNT}/Calls/`, undefined],
          ['GET', callPath(call.sid), undefined],
          ['PUT', callPath(call.sid), { call_status: 'completed' }],
          ['POST', callPath(call.sid), { call_status: 'completed' }],
          ['DELETE', callPath(call.sid), undefined],
          ['POST', `/v1/Accounts/${ACCOUNT}/Calls`, { from: '1', to: { type: 'sip', sipUri: 'sip:x@127.0.0.1:9' }, call_hook: HOOK }],
        ]
        for (const [method, path, body] of routes) {
          const r = await api(h(), method, path, body, { auth })
          expectError(r, 401, 'LIVECALL_ERR_UNAUTHORIZED')
          expect(r.body.error.message, `${method} ${path}`).toMatch(/API key|Authorization/)
        }
      })
    })

    it('the key is checked before the body: a bad body without a key is still 401', async () => {
      await withCall(h(), async (call) => {
        expectError(await update(h(), call.sid, { nonsense: true }, { auth: null }), 401, 'LIVECALL_ERR_UNAUTHORIZED')
        expectError(await update(h(), call.sid, undefined, { auth: null, raw: '{oops' }), 401, 'LIVECALL_ERR_UNAUTHORIZED')
      })
    })
  })

  describe('404 and 403: unknown calls, another account', () => {
    it('an unknown call sid is 404 on GET, PUT, POST and DELETE', async () => {
      await withCall(h(), async () => {
        const unknown = '00000000-0000-4000-8000-000000000000'
        for (const [method, body] of [['GET', undefined], ['PUT', { mute_status: 'mute' }], ['POST', { call_status: 'completed' }], ['DELETE', undefined]] as const) {
          expectError(await api(h(), method, callPath(unknown), body), 404, 'LIVECALL_ERR_CALL_NOT_FOUND', unknown)
        }
      })
    })

    it('a real call addressed under another account is 404 on GET, PUT, POST and DELETE', async () => {
      await withCall(h(), async (call) => {
        for (const [method, body] of [['GET', undefined], ['PUT', { call_status: 'completed' }], ['POST', { call_status: 'completed' }], ['DELETE', undefined]] as const) {
          expectError(await api(h(), method, callPath(call.sid, OTHER_ACCOUNT), body), 404, 'LIVECALL_ERR_CALL_NOT_FOUND')
        }
        const list = await api(h(), 'GET', `/v1/Accounts/${OTHER_ACCOUNT}/Calls`)
        expect(list.status).toBe(200)
        expect(list.body).toEqual([])
      })
    })

    it('creating a call for another account is 403 and dials nothing', async () => {
      await withCall(h(), async () => {
        const r = await api(h(), 'POST', `/v1/Accounts/${OTHER_ACCOUNT}/Calls`, { from: '1', to: { type: 'sip', sipUri: 'sip:x@127.0.0.1:9' }, call_hook: HOOK })
        expectError(r, 403, 'LIVECALL_ERR_FORBIDDEN', OTHER_ACCOUNT)
        expect((await api(h(), 'GET', `/v1/Accounts/${ACCOUNT}/Calls`)).body).toHaveLength(1)
      })
    })

    it('an unknown route is a JSON 404', async () => {
      expectError(await api(h(), 'GET', `/v1/Accounts/${ACCOUNT}/Conferences`), 404, 'LIVECALL_ERR_NOT_FOUND')
    })
  })

  describe('415 and 413: what is not a small JSON document', () => {
    it.each([
      ['text/plain', 'text/plain', 'mute_status=mute'],
      ['a form', 'application/x-www-form-urlencoded', 'mute_status=mute'],
      ['XML', 'application/xml', '<mute_status>mute</mute_status>'],
    ])('%s is 415', async (_name, contentType, raw) => {
      await withCall(h(), async (call) => {
        expectError(await update(h(), call.sid, undefined, { contentType, raw }), 415, 'LIVECALL_ERR_UNSUPPORTED_MEDIA_TYPE')
        expectError(await api(h(), 'POST', `/v1/Accounts/${ACCOUNT}/Calls`, undefined, { contentType, raw }), 415, 'LIVECALL_ERR_UNSUPPORTED_MEDIA_TYPE')
      })
    })

    it('a body over 64 KiB is 413 (even when it is valid JSON)', async () => {
      await withCall(h(), async (call) => {
        const big = { mute_status: 'mute', padding: 'x'.repeat(64 * 1024) }
        expectError(await update(h(), call.sid, big), 413, 'LIVECALL_ERR_PAYLOAD_TOO_LARGE')
        const whisper = { whisper: Array.from({ length: 2000 }, () => ({ verb: 'say', text: 'a fairly long sentence to whisper' })) }
        expectError(await update(h(), call.sid, whisper), 413, 'LIVECALL_ERR_PAYLOAD_TOO_LARGE')
      })
    })
  })

  describe('create: a bad body is 400 and dials nothing', () => {
    it.each([
      ['no to', { from: '1', call_hook: HOOK }, ['to']],
      ['no call_hook', { from: '1', to: { type: 'sip', sipUri: 'sip:x@127.0.0.1:9' } }, ['call_hook']],
      ['a call_hook that is not http(s)', { from: '1', to: { type: 'sip', sipUri: 'sip:x@127.0.0.1:9' }, call_hook: 'ftp://x/app' }, ['call_hook']],
      ['an unknown target type', { from: '1', to: { type: 'carrier-pigeon' }, call_hook: HOOK }, ['to']],
      ['a sip target without sipUri', { from: '1', to: { type: 'sip' }, call_hook: HOOK }, ['to']],
      ['application_sid', { from: '1', to: { type: 'sip', sipUri: 'sip:x@127.0.0.1:9' }, call_hook: HOOK, application_sid: 'x' }, ['application_sid']],
      ['a timeout out of range', { from: '1', to: { type: 'sip', sipUri: 'sip:x@127.0.0.1:9' }, call_hook: HOOK, timeout: 0 }, ['timeout']],
    ])('%s', async (_name, body, named) => {
      const r = await api(h(), 'POST', `/v1/Accounts/${ACCOUNT}/Calls`, body)
      expectError(r, 400, 'LIVECALL_ERR_BAD_REQUEST', ...named)
      expect((await api(h(), 'GET', `/v1/Accounts/${ACCOUNT}/Calls`)).body).toEqual([])
    })
  })
})
