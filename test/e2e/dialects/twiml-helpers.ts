import twilio from 'twilio'
import { expect } from 'vitest'
import { heard, nowMs, rms } from '../../support/audio-check.js'
import { API_KEY } from '../../support/control-call.js'
import type { RtpPeer } from '../../support/rtp-peer.js'
import { reply, type RecordedRequest, type RouteResponse, type WebhookScaffold } from '../../support/webhook-scaffold.js'

/** An XML application as a webhook answers it. */
export const xml = (doc: string): RouteResponse => reply({ status: 200, body: `<?xml version="1.0" encoding="UTF-8"?>\n${doc}`, contentType: 'application/xml' })

/** Twilio's SDK helper accepts the request's X-Twilio-Signature (and X-SignalWire-Signature is the same). */
export function expectTwilioSigned(scaffold: WebhookScaffold, r: RecordedRequest): void {
  const url = scaffold.url(r.path) + (r.method === 'GET' && r.rawBody === '' && Object.keys(r.query).length > 0 ? `?${new URLSearchParams(r.query).toString()}` : '')
  const params = r.method === 'GET' ? {} : (r.body as Record<string, string>)
  expect(r.headers['content-type'] ?? 'application/x-www-form-urlencoded', 'a form POST').toMatch(r.method === 'GET' ? /.*/ : /application\/x-www-form-urlencoded/)
  const signature = r.headers['x-twilio-signature'] as string
  expect(signature, 'X-Twilio-Signature').toBeTruthy()
  expect(twilio.validateRequest(API_KEY, signature, url, params), `signature of ${r.method} ${url}`).toBe(true)
  expect(r.headers['x-signalwire-signature']).toBe(signature)
  expect(twilio.validateRequest('another-key', signature, url, params)).toBe(false)
}

/** Speech (or any sound) heard since `since`: enough packets with energy. */
export async function waitForSound(peer: RtpPeer, since: number, timeoutMs = 10_000): Promise<void> {
  await peer.waitFor(() => rms(heard(peer, { since })) > 300 && heard(peer, { since }).length > 8000 * 0.5, timeoutMs, 'speech')
}

export { nowMs }

/** The Twilio-shaped status callbacks of `sid` at `path`, their CallStatus in order. */
export function twilioStatuses(scaffold: WebhookScaffold, path: string, sid: string): string[] {
  return scaffold.requests(path).filter((r) => r.body?.CallSid === sid).map((r) => r.body.CallStatus as string)
}
