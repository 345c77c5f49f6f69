import type { LivecallHarness } from './livecall-harness.js'
import { RtpPeer } from './rtp-peer.js'
import { SipUdpCallee } from './sip-udp-callee.js'
import { SipUdpPhone, sdpOf } from './sip-udp-phone.js'

export const ACCOUNT = 'AC00000000000000000000000000000001'
export const API_KEY = 'test-api-key'
export const OTHER_ACCOUNT = 'AC99999999999999999999999999999999'

export interface ApiAnswer {
  status: number
  /** the JSON body, or undefined */
  body: any
  text: string
  contentType: string
}

export interface ApiOptions {
  /** the Authorization header; default `Bearer API_KEY`, null for none */
  auth?: string | null
  contentType?: string
  /** sent as is instead of JSON.stringify(body) */
  raw?: string
}

/** One real HTTP request to livecall's control API (fetch, as a client would). */
export async function api(h: LivecallHarness, method: string, path: string, body?: unknown, opts: ApiOptions = {}): Promise<ApiAnswer> {
  const headers: Record<string, string> = {}
  const auth = opts.auth === undefined ? `Bearer ${API_KEY}` : opts.auth
  if (auth !== null) headers.authorization = auth
  const payload = opts.raw ?? (body === undefined ? undefined : JSON.stringify(body))
  if (payload !== undefined) headers['content-type'] = opts.contentType ?? 'application/json'
  const res = await fetch(`${h.baseUrl}${path}`, { method, headers, body: payload })
  const text = await res.text()
  let json: unknown
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  return { status: res.status, body: json, text, contentType: res.headers.get('content-type') ?? '' }
}

export const callPath = (sid: string, account = ACCOUNT): string => `/v1/Accounts/${account}/Calls/${sid}`

/** PUT an update on a call of ACCOUNT. */
export const update = (h: LivecallHarness, sid: string, body: unknown, opts?: ApiOptions): Promise<ApiAnswer> => api(h, 'PUT', callPath(sid), body, opts)

/** A caller (SipUdpPhone + RtpPeer) whose inbound call runs `app`; `sid` is its call_sid. */
export interface InboundCall {
  sid: string
  phone: SipUdpPhone
  peer: RtpPeer
  /** the final response to the INVITE (200 when the app answers) */
  final: Promise<string>
  /** DELETE the call if it still runs, wait for it to be gone, close the sockets */
  end(): Promise<void>
}

/**
 * Call livecall with the scaffold's /app answering `app`. With `answered` (default) the
 * 200 is ACKed and audio starts; otherwise the call is left ringing (the app must not answer).
 */
export async function callIn(h: LivecallHarness, app: unknown[], opts: { answered?: boolean; tone?: number } = {}): Promise<InboundCall> {
  h.scaffold.route('/app', app)
  const peer = await RtpPeer.create(opts.tone ? { payload: { kind: 'tone', freq: opts.tone } } : {})
  const phone = await SipUdpPhone.create({ host: '127.0.0.1', port: h.sipPort }, { autoAnswerBye: true })
  const before = h.scaffold.requests('/app').length
  const final = phone.invite(peer.offer())
  final.catch(() => undefined)
  const hook = await h.scaffold.waitFor((r) => r.path === '/app' && h.scaffold.requests('/app').length > before, 10_000, 'CALL_HOOK request')
  const sid = (hook.body as { call_sid: string }).call_sid
  if (opts.answered !== false) {
    const ok = await final
    if (!/^SIP\/2\.0 200/.test(ok)) throw new Error(`the call was not answered: ${ok.split('\r\n')[0]}`)
    phone.ack(ok)
    peer.target(sdpOf(ok)).start()
  }
  return {
    sid,
    phone,
    peer,
    final,
    end: async () => {
      try {
        if ((await api(h, 'GET', callPath(sid))).status === 200) await api(h, 'DELETE', callPath(sid))
        await waitUntil(async () => (await api(h, 'GET', callPath(sid))).status === 404, 10_000, `call ${sid} gone`)
      } finally {
        phone.close()
        await peer.close()
      }
    },
  }
}

/** A caller bridged by a `dial` to a SipUdpCallee: `parent` is the inbound call, `child` the dialed leg. */
export interface BridgedCall extends InboundCall {
  child: string
  callee: SipUdpCallee
  calleePeer: RtpPeer
}

/** A dial from an answered caller (tone 700 Hz) to a callee (tone 1200 Hz); `ring` leaves the callee ringing. */
export async function callBridged(h: LivecallHarness, opts: { ring?: boolean; dial?: Record<string, unknown> } = {}): Promise<BridgedCall> {
  const calleePeer = await RtpPeer.create({ payload: { kind: 'tone', freq: 1200 } })
  const callee = await SipUdpCallee.create({ peer: calleePeer, ...(opts.ring ? { mode: { kind: 'ringForever' as const } } : {}) })
  const dial = { verb: 'dial', target: [{ type: 'sip', sipUri: callee.uri() }], ...opts.dial }
  const call = await callIn(h, [dial], { tone: 700 })
  const leg = await callee.waitForCall(opts.ring ? 'ringing' : 'answered')
  if (!opts.ring) calleePeer.start()
  void leg
  let child = ''
  await waitUntil(async () => {
    const list = (await api(h, 'GET', `/v1/Accounts/${ACCOUNT}/Calls`)).body as { call_sid: string; parent_call_sid: string | null }[]
    child = list.find((c) => c.parent_call_sid === call.sid)?.call_sid ?? ''
    return child !== ''
  }, 10_000, 'the dialed leg listed')
  return {
    ...call,
    child,
    callee,
    calleePeer,
    end: async () => {
      try {
        await call.end()
        await waitUntil(async () => (await api(h, 'GET', callPath(child))).status === 404, 10_000, `child ${child} gone`)
      } finally {
        callee.close()
        await calleePeer.close()
      }
    },
  }
}

/** Polls `cond` every 25 ms until it holds; throws `what` after `timeoutMs`. */
export async function waitUntil(cond: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
