import type Srf from 'drachtio-srf'
import type { Logger } from 'pino'
import { LivecallError } from '../errors/index.js'
import { SipDialog } from './sip-dialog.js'
import { headersOf } from './sip-message.js'
import { sipStatusOf } from './sip-errors.js'

/** What the call layer knows of an inbound INVITE: plain data. */
export interface InviteInfo {
  callId: string
  requestUri: string
  from: { uri: string; user: string; displayName: string }
  to: { uri: string; user: string }
  headers: Record<string, string>
  sourceAddress: string
  sourcePort: number
  /** the SIP address the INVITE arrived on (host:port) */
  localSipAddress: string
  offerSdp: string
}

/**
 * An inbound INVITE's server transaction (RFC 3261 §13.3.1).
 *
 *   Pending ──ring()──► Ringing ──answer()──► Answered
 *      │  └──────────────┴──reject()──► Rejected
 *      └──────────────────┴─ CANCEL ──► Canceled
 */
export enum InviteState {
  Pending = 'pending',
  Ringing = 'ringing',
  Answered = 'answered',
  Rejected = 'rejected',
  Canceled = 'canceled',
}

const FINAL = new Set([InviteState.Answered, InviteState.Rejected, InviteState.Canceled])

export class InboundInvite {
  private state = InviteState.Pending
  private readonly cancelListeners: Array<() => void> = []
  readonly info: InviteInfo

  constructor(
    private readonly srf: Srf,
    private readonly req: Srf.SrfRequest,
    private readonly res: Srf.SrfResponse,
    private readonly logger: Logger,
  ) {
    this.info = describeInvite(req)
    req.on('cancel', () => {
      if (FINAL.has(this.state)) return
      this.state = InviteState.Canceled
      for (const l of this.cancelListeners.splice(0)) l()
    })
  }

  get current(): InviteState {
    return this.state
  }

  /** The caller gave up (CANCEL, RFC 3261 §9.2); the engine has answered 487 already. */
  onCancel(listener: () => void): void {
    if (this.state === InviteState.Canceled) listener()
    else this.cancelListeners.push(listener)
  }

  /** 180 Ringing, or 183 Session Progress with early media (our SDP). */
  ring(earlySdp?: string): void {
    if (FINAL.has(this.state)) return
    this.state = InviteState.Ringing
    try {
      if (earlySdp) this.res.send(183, { body: earlySdp, headers: { 'Content-Type': 'application/sdp' } })
      else this.res.send(180)
    } catch (err) {
      this.logger.debug({ err: (err as Error).message, callId: this.info.callId }, 'provisional response not sent')
    }
  }

  /** 200 OK with our SDP; resolves when the dialog exists (drachtio-srf waits for nothing more). */
  async answer(localSdp: string, headers: Record<string, string> = {}): Promise<SipDialog> {
    if (FINAL.has(this.state)) {
      throw new LivecallError('LIVECALL_ERR_CALL_STATE', `cannot answer: the INVITE is already ${this.state}`)
    }
    try {
      // srf calls back as it registers the dialog, before it reads the next message from
      // drachtio-server: the caller's ACK, re-INVITE or BYE can come in the same read as
      // the echo of our 200 OK, and must find SipDialog listening (a promise resolves too late)
      const dialog = await new Promise<SipDialog>((resolve, reject) => {
        this.srf.createUAS(this.req, this.res, { localSdp, headers }, (err: Error | null | undefined, d: Srf.Dialog) => {
          if (err) reject(err)
          else resolve(new SipDialog(d, this.logger))
        })
      })
      this.state = InviteState.Answered
      return dialog
    } catch (err) {
      if (this.state !== InviteState.Canceled) this.state = InviteState.Rejected
      throw new LivecallError('LIVECALL_ERR_CALL_ENDED', `cannot answer: ${sipStatusOf(err) ?? ''} ${(err as Error).message ?? ''}`.trim(), 409, { cause: err })
    }
  }

  /** A final non-2xx (486, 480, 603, …), optionally with its own reason phrase. Idempotent once final. */
  reject(status: number, headers: Record<string, string> = {}, reasonPhrase?: string): void {
    if (FINAL.has(this.state)) return
    this.state = InviteState.Rejected
    try {
      if (reasonPhrase) this.res.send(status, reasonPhrase.replace(/[\r\n]/g, ' '), { headers })
      else this.res.send(status, { headers })
    } catch (err) {
      this.logger.debug({ err: (err as Error).message, callId: this.info.callId }, 'rejection not sent')
    }
  }
}

function describeInvite(req: Srf.SrfRequest): InviteInfo {
  const from = safeParsed(req, 'From')
  const to = safeParsed(req, 'To')
  const meta = req as unknown as { server?: { hostport?: string }; receivedOn?: string; source_port?: string | number }
  return {
    callId: req.get('Call-ID'),
    requestUri: req.uri,
    from: { uri: from.uri, user: userOf(from.uri), displayName: unquote(from.name ?? '') },
    to: { uri: to.uri, user: userOf(to.uri) },
    headers: headersOf(req),
    sourceAddress: req.source_address,
    sourcePort: Number(meta.source_port ?? 0),
    localSipAddress: meta.receivedOn ?? meta.server?.hostport ?? '',
    offerSdp: req.body ?? '',
  }
}

function safeParsed(req: Srf.SrfRequest, name: 'From' | 'To'): { uri: string; name?: string } {
  try {
    const aor = req.getParsedHeader(name)
    return { uri: aor.uri, name: aor.name }
  } catch {
    return { uri: req.get(name) ?? '' }
  }
}

/** `sip:+15551234567@host;user=phone` → `+15551234567` */
export function userOf(uri: string): string {
  const m = /^sips?:([^@;>]+)@/i.exec(uri) ?? /^tel:([^;>]+)/i.exec(uri)
  return m ? decodeURIComponent(m[1]) : ''
}

function unquote(s: string): string {
  const t = s.trim()
  return t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/\\(.)/g, '$1') : t
}
