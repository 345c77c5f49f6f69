import type Srf from 'drachtio-srf'
import type { Call } from '../../../call/call.js'
import { conflict } from '../conflict.js'
import type { UpdateOutcome } from '../call-update.js'

/** sip_request (as jambonz): an in-dialog request to the party; answered with the far end's final status. */
export async function applySipRequest(call: Call, req: { method: string; headers: Record<string, string>; body?: string }): Promise<UpdateOutcome> {
  const dialog = call.dialog
  if (!call.answered || !dialog) throw conflict(`sip_request needs an answered call; this one is ${call.state}`)
  const headers = { ...req.headers }
  if (req.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'text/plain'
  const res = await dialog.request(req.method as Srf.SipMethod, { headers, body: req.body })
  return { sip: { status: res.status ?? 0, reason: res.reason ?? '' } }
}
