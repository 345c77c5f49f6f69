import { getHeader, parseParams, type SipMessage } from '../message/index.js'

/** `Event: <type>[;id=<id>]` (RFC 6665 §8.2.1): the event package lower-cased, and the id. */
export interface EventName {
  type: string
  id?: string
}

export function parseEvent(msg: SipMessage): EventName | undefined {
  const value = getHeader(msg, 'event')
  if (!value) return undefined
  const semi = value.indexOf(';')
  const type = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase()
  if (!type) return undefined
  const id = semi < 0 ? undefined : parseParams(value, semi + 1).get('id') ?? undefined
  return { type, id }
}

/** `Subscription-State: <substate>[;expires=<s>][;reason=…]` (RFC 6665 §8.2.3). */
export interface SubscriptionStateHeader {
  substate: string
  expires?: number
}

export function parseSubscriptionState(msg: SipMessage): SubscriptionStateHeader | undefined {
  const value = getHeader(msg, 'subscription-state')
  if (!value) return undefined
  const semi = value.indexOf(';')
  const substate = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase()
  const expires = semi < 0 ? undefined : seconds(parseParams(value, semi + 1).get('expires'))
  return { substate, expires }
}

/** The `Expires` header in seconds (RFC 3261 §20.19), or undefined. */
export function expiresHeader(msg: SipMessage): number | undefined {
  return seconds(getHeader(msg, 'expires'))
}

/** RFC 4488: a 2xx to a REFER carrying `Refer-Sub: false` created no subscription. */
export function declinesReferSub(msg: SipMessage): boolean {
  return (getHeader(msg, 'refer-sub') ?? '').trim().toLowerCase() === 'false'
}

function seconds(v: string | null | undefined): number | undefined {
  if (v === undefined || v === null || !/^\s*\d+\s*$/.test(v)) return undefined
  return Number(v)
}
