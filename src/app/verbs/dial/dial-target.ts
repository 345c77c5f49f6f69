import { LivecallError } from '../../../errors/index.js'
import { appInvalid } from '../verb-errors.js'
import { headersOf, optString } from '../verb-options.js'

/** A jambonz dial target livecall can place (SPEC §4). */
export type DialTarget =
  | { type: 'sip'; sipUri: string; headers: Record<string, string>; name?: string }
  | { type: 'phone'; number: string; headers: Record<string, string>; name?: string }

const SIP_URI = /^sips?:[^\s<>"]+$/i
const PHONE = /^\+?[0-9*#]{1,32}$/

/**
 * One entry of `target`. `user` targets need a registrar, which livecall does not have
 * (SPEC §4): refused with a clear error, so the document never half-runs. `teams` too.
 */
export function parseDialTarget(raw: Record<string, unknown>, index: number): DialTarget {
  const where = `target[${index}]`
  const headers = headersOf(raw)
  const name = optString(raw, 'name')
  switch (raw.type) {
    case 'sip': {
      const sipUri = optString(raw, 'sipUri')
      if (!sipUri || !SIP_URI.test(sipUri)) throw appInvalid(`${where}: a sip target needs sipUri, a sip: or sips: URI`)
      return { type: 'sip', sipUri, headers, name }
    }
    case 'phone': {
      const number = optString(raw, 'number')?.replace(/[\s().-]/g, '')
      if (!number || !PHONE.test(number)) throw appInvalid(`${where}: a phone target needs number (digits, optional +)`)
      return { type: 'phone', number, headers, name }
    }
    case 'user':
      throw appInvalid(`${where}: user targets need a registrar, which livecall does not have yet; dial a sip target instead`)
    default:
      throw appInvalid(`${where}: target type ${JSON.stringify(raw.type)} is not supported (sip, phone)`)
  }
}

/**
 * The Request-URI to INVITE: a sip target as given; a phone number at SIP_TRUNK
 * (`sip:trunk.example.net:5060` → `sip:+15551234567@trunk.example.net:5060`, the
 * trunk's parameters kept). No trunk: LIVECALL_ERR_DIAL_TARGET (SPEC §2).
 */
export function requestUriOf(target: DialTarget, sipTrunk: string | undefined): string {
  if (target.type === 'sip') return target.sipUri
  if (!sipTrunk) {
    throw new LivecallError('LIVECALL_ERR_DIAL_TARGET', `cannot dial phone number ${target.number}: SIP_TRUNK is not configured`)
  }
  const m = /^(sips?):(?:[^@]*@)?(.+)$/i.exec(sipTrunk)
  if (!m) throw new LivecallError('LIVECALL_ERR_DIAL_TARGET', `SIP_TRUNK ${sipTrunk} is not a SIP URI`)
  return `${m[1]}:${encodeURIComponent(target.number).replace(/%2B/g, '+')}@${m[2]}`
}

/** the To user of a target, as reported in the child call's description */
export function targetUser(target: DialTarget): string {
  if (target.type === 'phone') return target.number
  const m = /^sips?:([^@;]+)@/i.exec(target.sipUri)
  return m ? decodeURIComponent(m[1]) : target.sipUri
}
