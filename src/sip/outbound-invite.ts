import type Srf from 'drachtio-srf'
import type { Logger } from 'pino'
import { SipDialog } from './sip-dialog.js'
import { sipStatusOf } from './sip-errors.js'

export interface OutboundInviteOptions {
  uri: string
  localSdp: string
  /** user part of From (callerId) and its display name */
  callingNumber?: string
  callingName?: string
  headers?: Record<string, string>
  /** aborting sends CANCEL (RFC 3261 §9.1) once a provisional has arrived, or as soon as the INVITE is out */
  signal?: AbortSignal
  /** 180 / 183 from the far end; `sdp` when it carries early media */
  onProvisional?: (status: number, sdp: string | undefined) => void
  /** the INVITE left (its Call-ID), before any answer */
  onSent?: (callId: string) => void
}

/** Why an outbound INVITE got no dialog: the final status (486, 480, 487 after our CANCEL, 408 …). */
export class OutboundInviteFailure extends Error {
  constructor(readonly status: number, readonly reason: string) {
    super(`INVITE failed: ${status} ${reason}`)
    this.name = 'OutboundInviteFailure'
  }
}

/**
 * Place an INVITE through drachtio-srf (RFC 3261 §13.2). Resolves with the dialog on a 2xx;
 * rejects with OutboundInviteFailure otherwise. CANCEL on abort, never twice.
 */
export async function placeOutboundInvite(srf: Srf, logger: Logger, opts: OutboundInviteOptions): Promise<SipDialog> {
  let sent: Srf.SrfRequest | undefined
  let cancelRequested = false
  let canceled = false
  const cancel = () => {
    cancelRequested = true
    if (!sent || canceled) return
    canceled = true
    try {
      sent.cancel(() => undefined)
    } catch (err) {
      logger.debug({ err: (err as Error).message }, 'CANCEL not sent (INVITE already answered)')
    }
  }
  if (opts.signal?.aborted) throw new OutboundInviteFailure(487, 'Request Terminated')
  opts.signal?.addEventListener('abort', cancel, { once: true })
  try {
    const uacOpts = {
      localSdp: opts.localSdp,
      headers: opts.headers ?? {},
      ...(opts.callingNumber ? { callingNumber: opts.callingNumber } : {}),
      ...(opts.callingName ? { callingName: opts.callingName } : {}),
    } as Srf.CreateUACOptions
    const progress = {
      cbRequest: (...args: unknown[]) => {
        // srf calls cbRequest(err) or cbRequest(null, req) despite its typings
        const req = (args.length > 1 ? args[1] : args[0]) as Srf.SrfRequest | undefined
        if (!req || typeof (req as { cancel?: unknown }).cancel !== 'function') return
        sent = req
        opts.onSent?.(req.get('Call-ID'))
        if (cancelRequested) cancel()
      },
      cbProvisional: (res: Srf.SrfResponse) => {
        if (res.status === 100) return
        opts.onProvisional?.(res.status, res.body ? res.body : undefined)
      },
    }
    // the callback form: srf calls back as it registers the dialog, so a BYE or re-INVITE
    // from the callee read together with its 200 OK finds SipDialog listening
    const wrapped = await new Promise<SipDialog>((resolve, reject) => {
      srf.createUAC(opts.uri, uacOpts, progress, (err: Error | null | undefined, dialog: Srf.Dialog) => {
        if (err) reject(err)
        else resolve(new SipDialog(dialog, logger))
      })
    })
    if (cancelRequested) {
      // the 200 crossed our CANCEL (RFC 3261 §9.1): the dialog exists, so end it with BYE
      await wrapped.hangup()
      throw new OutboundInviteFailure(487, 'Request Terminated')
    }
    return wrapped
  } catch (err) {
    if (err instanceof OutboundInviteFailure) throw err
    const status = sipStatusOf(err) ?? (cancelRequested ? 487 : 503)
    const reason = (err as { reason?: string }).reason ?? (err as Error).message ?? 'failed'
    throw new OutboundInviteFailure(status, reason)
  } finally {
    opts.signal?.removeEventListener('abort', cancel)
  }
}
