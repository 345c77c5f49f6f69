import { waitForTone } from './audio-check.js'
import type { LivecallHarness } from './livecall-harness.js'
import { A_TONE, B_TONE, createCallee, createCaller, hookedSid, type Callee } from './parties.js'
import type { RtpPeer } from './rtp-peer.js'
import type { SipUdpCallee } from './sip-udp-callee.js'
import type { SipUdpPhone } from './sip-udp-phone.js'

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

export const callsPath = (account = ACCOUNT): string => `/v1/Accounts/${account}/Calls`
export const callPath = (sid: string, account = ACCOUNT): string => `${callsPath(account)}/${sid}`

/** PUT an update on a call of ACCOUNT. */
export const update = (h: LivecallHarness, sid: string, body: unknown, opts?: ApiOptions): Promise<ApiAnswer> => api(h, 'PUT', callPath(sid), body, opts)

/** GET a call of ACCOUNT. */
export const getCall = (h: LivecallHarness, sid: string): Promise<ApiAnswer> => api(h, 'GET', callPath(sid))

/** POST a new call (create) for ACCOUNT. */
export const createCall = (h: LivecallHarness, body: unknown): Promise<ApiAnswer> => api(h, 'POST', callsPath(), body)

/** GET the calls of ACCOUNT in progress. */
export async function listCalls(h: LivecallHarness): Promise<Array<Record<string, any>>> {
  return (await api(h, 'GET', callsPath())).body as Array<Record<string, any>>
}

/** Polls `cond` every 25 ms until it holds; throws `what` after `timeoutMs`. */
export async function waitUntil(cond: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** DELETE the call if it still runs and wait until it is gone. */
async function hangUp(h: LivecallHarness, sid: string, what: string): Promise<void> {
  if ((await getCall(h, sid)).status === 200) await api(h, 'DELETE', callPath(sid))
  await waitUntil(async () => (await getCall(h, sid)).status === 404, 10_000, `${what} ${sid} gone`)
}

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
 * Call livecall with the scaffold's /app answering `app` from a phone that answers BYEs
 * itself. With `answered` (default) the 200 is ACKed and audio starts; otherwise the call
 * is left ringing (the app must not answer).
 */
export async function callIn(h: LivecallHarness, app: unknown[], opts: { answered?: boolean; tone?: number } = {}): Promise<InboundCall> {
  h.scaffold.route('/app', app)
  const caller = await createCaller(h, { tone: opts.tone, autoAnswerBye: true })
  const before = h.scaffold.requests('/app').length
  const final = caller.phone.invite(caller.peer.offer())
  final.catch(() => undefined)
  try {
    // this call's request: the one after those of earlier calls
    await h.scaffold.waitFor(() => h.scaffold.requests('/app').length > before, 10_000, 'CALL_HOOK request')
    const sid = hookedSid(h, before)
    if (opts.answered !== false) {
      const ok = await final
      if (!/^SIP\/2\.0 200/.test(ok)) throw new Error(`the call was not answered: ${ok.split('\r\n')[0]}`)
      caller.answered(ok)
    }
    return {
      sid,
      phone: caller.phone,
      peer: caller.peer,
      final,
      end: async () => {
        try {
          await hangUp(h, sid, 'call')
        } finally {
          await caller.close()
        }
      },
    }
  } catch (err) {
    await caller.close()
    throw err
  }
}

/** A caller (A_TONE) bridged by a `dial` to a SipUdpCallee (B_TONE): `sid` is the inbound call, `child` the dialed leg. */
export interface BridgedCall extends InboundCall {
  child: string
  callee: SipUdpCallee
  calleePeer: RtpPeer
}

export interface BridgeOptions {
  /** leave the callee ringing */
  ring?: boolean
  /** extra properties of the dial verb (actionHook, a nested listen, …) */
  dial?: Record<string, unknown>
  /** the verbs after the dial */
  after?: unknown[]
}

/** Serve `/app` = `[dial the callee, …after]` and call in; resolves once the dialed leg is listed (answered, unless `ring`). */
export async function callBridged(h: LivecallHarness, opts: BridgeOptions = {}): Promise<BridgedCall> {
  const b: Callee = await createCallee({ tone: B_TONE, ...(opts.ring ? { mode: { kind: 'ringForever' as const } } : {}) })
  let call: InboundCall | undefined
  try {
    const dial = { verb: 'dial', target: [{ type: 'sip', sipUri: b.sip.uri() }], ...opts.dial }
    call = await callIn(h, [dial, ...(opts.after ?? [])], { tone: A_TONE })
    await b.sip.waitForCall(opts.ring ? 'ringing' : 'answered')
    if (!opts.ring) b.peer.start()
    const parent = call.sid
    let child = ''
    await waitUntil(async () => {
      child = (await listCalls(h)).find((c) => c.parent_call_sid === parent)?.call_sid ?? ''
      return child !== ''
    }, 10_000, 'the dialed leg listed')
    const inbound = call
    return {
      ...inbound,
      child,
      callee: b.sip,
      calleePeer: b.peer,
      end: async () => {
        try {
          await inbound.end()
          // a child released from the dial (child_call_hook) outlives its parent
          await hangUp(h, child, 'child')
        } finally {
          await b.close()
        }
      },
    }
  } catch (err) {
    await call?.end().catch(() => undefined)
    await b.close()
    throw err
  }
}

/** callBridged, then wait until the callee hears the caller's tone and the caller the callee's. */
export async function startBridge(h: LivecallHarness, opts: Omit<BridgeOptions, 'ring'> = {}): Promise<BridgedCall> {
  const x = await callBridged(h, opts)
  try {
    await waitForTone(x.calleePeer, A_TONE, { timeoutMs: 10_000 })
    await waitForTone(x.peer, B_TONE, { timeoutMs: 10_000 })
    return x
  } catch (err) {
    await x.end().catch(() => undefined)
    throw err
  }
}

/** Hang the caller up and wait until the callee got its BYE (so the leak check can pass). */
export async function hangUpBoth(x: BridgedCall): Promise<void> {
  await x.phone.bye()
  await x.callee.waitFor((m) => m.startsWith('BYE '), 10_000, 'BYE to the callee')
}
