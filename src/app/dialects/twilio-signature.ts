import { createHmac } from 'node:crypto'

/** The headers Twilio and SignalWire sign their requests with (the same scheme). */
export const TWILIO_SIGNATURE_HEADER = 'x-twilio-signature'
export const SIGNALWIRE_SIGNATURE_HEADER = 'x-signalwire-signature'

/**
 * Twilio's request signature ("Webhooks security", also SignalWire's): base64 of
 * HMAC-SHA1(auth token, the full URL requested (with any query string) followed by every
 * POST parameter, sorted by name, as name + value with no separators). A GET has no POST
 * parameters: its query is part of the URL. `twilio.validateRequest(token, signature,
 * url, params)` accepts it.
 */
export function twilioSignature(key: string, url: string, params: Record<string, string> = {}): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, name) => acc + name + params[name], url)
  return createHmac('sha1', key).update(Buffer.from(data, 'utf8')).digest('base64')
}

/** Both signature headers for a request to `url` with the form `body` (undefined for a GET). */
export function twilioSignatureHeaders(key: string, url: string, body: string | undefined): Record<string, string> {
  const params = body === undefined ? {} : Object.fromEntries(new URLSearchParams(body))
  const signature = twilioSignature(key, url, params)
  return { [TWILIO_SIGNATURE_HEADER]: signature, [SIGNALWIRE_SIGNATURE_HEADER]: signature }
}
