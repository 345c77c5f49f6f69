import { createHmac } from 'node:crypto'

/** The header every webhook request carries when a secret is configured (SPEC.md §2, WEBHOOK_SECRET). */
export const LIVECALL_SIGNATURE_HEADER = 'x-livecall-signature'

/**
 * The same value, under the name jambonz uses: jambonz apps verify requests with
 * `WebhookResponse.verifyJambonzSignature(secret)` from @jambonz/node-client, which reads
 * `Jambonz-Signature` and checks exactly this `t=…,v1=HMAC(t.body)` scheme.
 */
export const JAMBONZ_SIGNATURE_HEADER = 'jambonz-signature'

/** Hex HMAC-SHA256(secret, `${t}.${rawBody}`): the `v1` part of the signature header. */
export function livecallSignatureDigest(secret: string, t: number, rawBody: string | Uint8Array): string {
  const hmac = createHmac('sha256', secret)
  hmac.update(`${t}.`)
  hmac.update(rawBody)
  return hmac.digest('hex')
}

/**
 * The value of `X-Livecall-Signature` for a request whose exact body bytes are `rawBody`
 * (for GET: the exact query string without the leading `?`):
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<rawBody>")>`.
 */
export function signLivecallRequest(
  secret: string,
  rawBody: string | Uint8Array,
  t = Math.floor(Date.now() / 1000),
): string {
  return `t=${t},v1=${livecallSignatureDigest(secret, t, rawBody)}`
}
