import type Srf from 'drachtio-srf'
import { expect } from 'vitest'
import { describeSipp, type SippResult, type SippTransport } from './sipp.js'

/** Helpers shared by the SUBSCRIBE/NOTIFY and REFER e2e tests (RFC 6665, RFC 3515). */

export function sippUri(port: number, transport: SippTransport, user = 'service'): string {
  return `sip:${user}@127.0.0.1:${port}${transport === 'tcp' ? ';transport=tcp' : ''}`
}

export function expectOk(r: SippResult, who: string): void {
  expect(r.code, `${who}\n${describeSipp(r)}`).toBe(0)
  expect(r.successful, who).toBe(1)
}

/** The SIP messages of a SIPp -trace_msg log (each from its start line on) whose start line matches `start`. */
export function messagesOf(trace: string, start: RegExp): string[] {
  return trace
    .split(/^-{10,} \S+ \S+\r?\n(?:UDP|TCP) message (?:sent|received)[^\n]*\n\r?\n/m)
    .filter((block) => start.test(block))
}

/** The status codes of the responses in a SIPp trace to requests of `method`, in order. */
export function answersTo(trace: string, method: string): string[] {
  return messagesOf(trace, /^SIP\/2\.0 \d{3} /)
    .filter((m) => new RegExp(`^\\d+\\s+${method}$`).test(headerOf(m, 'CSeq') ?? ''))
    .map((m) => m.slice(8, 11))
}

/** A header's value in a raw SIP message (first occurrence). */
export function headerOf(msg: string, name: string): string | undefined {
  return new RegExp(`^${name}:\\s*(.*?)\\s*$`, 'mi').exec(msg)?.[1]
}

/** The `tag` parameter of a From/To value (servers may format the rest differently). */
export function tagOf(value: string | undefined): string | undefined {
  return /;\s*tag=([^;>\s]+)/i.exec(value ?? '')?.[1]
}

export const SIPFRAG = 'message/sipfrag;version=2.0'

/** The app sends a NOTIFY in `dialog` (RFC 6665 §4.2.2) and gets its final response. */
export function notifyIn(dialog: Srf.Dialog | SrfDialog, event: string, state: string, body?: { type: string; text: string }): Promise<Srf.SrfResponse> {
  return (dialog as SrfDialog).request({
    method: 'NOTIFY',
    headers: { Event: event, 'Subscription-State': state, ...(body ? { 'Content-Type': body.type } : {}) },
    body: body?.text,
  })
}

/** `srf.request` outside a dialog, resolving with the final response (and the request as sent). */
export function requestOut(srf: Srf, uri: string, opts: { method: string; headers?: Record<string, string>; body?: string }): Promise<{ req: Srf.SrfRequest; res: Srf.SrfResponse }> {
  return new Promise((resolve, reject) => {
    const send = srf.request.bind(srf) as unknown as (uri: string, opts: unknown, cb: (err: unknown, req: Srf.SrfRequest) => void) => void
    send(uri, opts, (err, req) => {
      if (err) return reject(err instanceof Error ? err : new Error(String(err)))
      req.on('response', (res?: Srf.SrfResponse) => {
        if (res && res.status >= 200) resolve({ req, res })
      })
    })
  })
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** Polls `ok` until it holds, or throws naming `what` after `ms`. */
export async function waitFor(ok: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(20)
  }
}

type Handler = (req: Srf.SrfRequest, res: Srf.SrfResponse) => void

/** `srf.subscribe(…)`, `srf.notify(…)`, `srf.refer(…)`: srf's per-method routes, which its .d.ts omits. */
export function route(srf: Srf, method: 'subscribe' | 'notify' | 'refer', handler: Handler): void {
  ;(srf as unknown as Record<string, (h: Handler) => void>)[method](handler)
}

/** srf's Dialog as it is at runtime (lib/dialog.js) beyond its .d.ts: id, type, subscription events. */
export type SrfDialog = Omit<Srf.Dialog, 'destroy' | 'request'> & {
  id: string
  dialogType: 'INVITE' | 'SUBSCRIBE'
  subscribeEvent: string | null
  on(event: 'subscribe', cb: Handler): unknown
  on(event: 'unsubscribe', cb: (req: Srf.SrfRequest) => void): unknown
  destroy(): Promise<Srf.SrfRequest>
  request(opts: { method: string; headers?: Record<string, string>; body?: string }): Promise<Srf.SrfResponse>
}

/** `srf.createUAS` for a SUBSCRIBE (srf answers 202) with `headers` on the 202. */
export function acceptSubscribe(srf: Srf, req: Srf.SrfRequest, res: Srf.SrfResponse, headers: Record<string, string>): Promise<SrfDialog> {
  return srf.createUAS(req, res, { headers } as unknown as Srf.CreateUASOptions) as Promise<SrfDialog>
}

/** `srf.createUAC(uri, {method: 'SUBSCRIBE', headers})`: resolves on the 2xx with the subscription dialog. */
export function subscribeTo(srf: Srf, uri: string, headers: Record<string, string>): Promise<SrfDialog> {
  return srf.createUAC(uri, { method: 'SUBSCRIBE', headers } as unknown as Srf.CreateUACOptions) as Promise<SrfDialog>
}

/** The drachtio dialog id a request reached the app with (srf's `req.stackDialogId`), '' for none. */
export function dialogIdOfRequest(req: Srf.SrfRequest): string {
  return (req as unknown as { stackDialogId?: string }).stackDialogId ?? ''
}
