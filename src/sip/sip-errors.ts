import { LivecallError } from '../errors/index.js'

/** drachtio-srf rejects with a SipError carrying `status` and `reason` when a request gets a final non-2xx. */
export function sipStatusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status
  return typeof status === 'number' ? status : undefined
}

export function sipRequestError(what: string, err: unknown): LivecallError {
  const status = sipStatusOf(err)
  const reason = (err as { reason?: string; message?: string } | null)?.reason ?? (err as Error)?.message ?? String(err)
  return new LivecallError('LIVECALL_ERR_SIP_REQUEST', `${what} failed: ${status ?? ''} ${reason}`.replace(/\s+/g, ' ').trim(), 502, { cause: err })
}
