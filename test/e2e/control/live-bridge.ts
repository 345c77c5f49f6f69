import { waitForTone } from '../../support/audio-check.js'
import type { LivecallHarness } from '../../support/livecall-harness.js'
import { RtpPeer } from '../../support/rtp-peer.js'
import { SipUdpCallee } from '../../support/sip-udp-callee.js'
import { SipUdpPhone, sdpOf } from '../../support/sip-udp-phone.js'

export const ACCOUNT = 'AC00000000000000000000000000000001'
/** the caller's tone (what the callee hears from it) */
export const A_TONE = 700
/** the callee's tone (what the caller hears from it) */
export const B_TONE = 1200

/** A dial between a SipUdpPhone caller (A, 700 Hz) and a SipUdpCallee (B, 1200 Hz), both hearing each other. */
export interface LiveBridge {
  a: SipUdpPhone
  aPeer: RtpPeer
  b: SipUdpCallee
  bPeer: RtpPeer
  /** the caller's (inbound) call sid */
  parentSid: string
  /** the dialed leg's sid */
  childSid: string
  close(): Promise<void>
}

export interface ApiAnswer {
  status: number
  body: any
}

/** PUT …/Calls/{sid} with the Bearer key, as any HTTP client would. */
export async function updateCall(h: LivecallHarness, sid: string, body: unknown): Promise<ApiAnswer> {
  const res = await fetch(`${h.baseUrl}/v1/Accounts/${ACCOUNT}/Calls/${sid}`, {
    method: 'PUT',
    headers: { authorization: 'Bearer test-api-key', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}

/** GET …/Calls: the calls in progress. */
export async function listCalls(h: LivecallHarness): Promise<Array<Record<string, any>>> {
  const res = await fetch(`${h.baseUrl}/v1/Accounts/${ACCOUNT}/Calls`, { headers: { authorization: 'Bearer test-api-key' } })
  return (await res.json()) as Array<Record<string, any>>
}

/**
 * Serve `/app` = `[dial B, …after]` (the dial may carry extra properties, e.g. a nested
 * listen), call in from A, and wait until each party hears the other's tone.
 */
export async function startBridge(h: LivecallHarness, opts: { dial?: Record<string, unknown>; after?: unknown[] } = {}): Promise<LiveBridge> {
  const bPeer = await RtpPeer.create({ payload: { kind: 'tone', freq: B_TONE } })
  const b = await SipUdpCallee.create({ peer: bPeer })
  const aPeer = await RtpPeer.create({ payload: { kind: 'tone', freq: A_TONE } })
  const a = await SipUdpPhone.create({ host: '127.0.0.1', port: h.sipPort }, { autoAnswerBye: true })
  const close = async (): Promise<void> => {
    a.close()
    b.close()
    await aPeer.close()
    await bPeer.close()
  }
  try {
    h.scaffold.route('/app', [{ verb: 'dial', target: [{ type: 'sip', sipUri: b.uri() }], ...opts.dial }, ...(opts.after ?? [])])
    const final = await a.invite(aPeer.offer())
    a.ack(final)
    aPeer.target(sdpOf(final)).start()
    await b.waitForCall('answered')
    bPeer.start()
    await waitForTone(bPeer, A_TONE, { timeoutMs: 8000 })
    await waitForTone(aPeer, B_TONE, { timeoutMs: 8000 })
    const calls = await listCalls(h)
    const parent = calls.find((c) => c.direction === 'inbound')
    const child = calls.find((c) => c.direction === 'outbound')
    if (!parent || !child) throw new Error(`expected a parent and a child call, got ${JSON.stringify(calls)}`)
    const parentSid = parent.call_sid as string
    const closeAll = async (): Promise<void> => {
      // a failed test must not leave its call behind for the next one
      if ((await listCalls(h)).some((c) => c.call_sid === parentSid)) {
        await fetch(`${h.baseUrl}/v1/Accounts/${ACCOUNT}/Calls/${parentSid}`, { method: 'DELETE', headers: { authorization: 'Bearer test-api-key' } })
      }
      await close()
    }
    return { a, aPeer, b, bPeer, parentSid, childSid: child.call_sid, close: closeAll }
  } catch (err) {
    await close()
    throw err
  }
}

/** Hang the caller up and wait until the callee got its BYE (so the leak check can pass). */
export async function hangUpBoth(x: LiveBridge): Promise<void> {
  await x.a.bye()
  await x.b.waitFor((m) => m.startsWith('BYE '), 10_000, 'BYE to the callee')
}

/** The a= direction attribute of the latest re-INVITE's SDP. */
export function directionOf(invite: string): string | undefined {
  return /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(sdpOf(invite))?.[1]
}

const isReinvite = (m: string): boolean => m.startsWith('INVITE ') && /^To:.*;tag=/im.test(m)

/** In-dialog INVITEs `ep` received so far (retransmissions counted once). */
export function reinvitesOf(ep: { messages: string[] }): string[] {
  return [...new Set(ep.messages.filter(isReinvite))]
}

/** Wait for the `n`-th (1-based) re-INVITE `ep` receives. */
export async function waitForReinvite(ep: { messages: string[]; waitFor(p: (m: string) => boolean, t?: number, w?: string): Promise<string> }, n: number): Promise<string> {
  await ep.waitFor(() => reinvitesOf(ep).length >= n, 10_000, `re-INVITE #${n}`)
  return reinvitesOf(ep)[n - 1]
}
