import { canonicalName } from './header-names.js'
import type { SipHeader, SipMessage } from './types.js'

export { canonicalName } from './header-names.js'

/**
 * Header helpers on a SipMessage. Names are case-insensitive and compact forms are
 * accepted (`i` is `Call-ID`, RFC 3261 §7.3.3); entries keep their order.
 */

/** The first value of a header, or undefined. */
export function getHeader(msg: SipMessage, name: string): string | undefined {
  const key = canonicalName(name)
  const headers = msg.headers
  for (let i = 0; i < headers.length; i++) if (headers[i].name === key) return headers[i].value
  return undefined
}

/** Every value of a header, in message order (one per hop/element for list headers). */
export function getHeaders(msg: SipMessage, name: string): string[] {
  const key = canonicalName(name)
  const out: string[] = []
  for (const h of msg.headers) if (h.name === key) out.push(h.value)
  return out
}

/** Replace every entry of a header with one entry holding `value`, at the position of the first (or at the bottom). */
export function setHeader(msg: SipMessage, name: string, value: string): void {
  const key = canonicalName(name)
  const first = msg.headers.findIndex((h) => h.name === key)
  if (first === -1) {
    msg.headers.push({ name: key, value })
    return
  }
  const kept: SipHeader[] = []
  msg.headers.forEach((h, i) => {
    if (i === first) kept.push({ name: key, value })
    else if (h.name !== key) kept.push(h)
  })
  msg.headers = kept
}

/**
 * Add one entry. `top` puts it before the other entries of the same header (a new Via or
 * Record-Route, RFC 3261 §16.6, §18.2.1), or first in the message when there are none;
 * `bottom` (the default) after the last entry of the same header, or last in the message.
 */
export function addHeader(msg: SipMessage, name: string, value: string, where: 'top' | 'bottom' = 'bottom'): void {
  const key = canonicalName(name)
  const entry: SipHeader = { name: key, value }
  if (where === 'top') {
    const first = msg.headers.findIndex((h) => h.name === key)
    msg.headers.splice(first === -1 ? 0 : first, 0, entry)
    return
  }
  let last = -1
  for (let i = msg.headers.length - 1; i >= 0; i--) {
    if (msg.headers[i].name === key) {
      last = i
      break
    }
  }
  if (last === -1) msg.headers.push(entry)
  else msg.headers.splice(last + 1, 0, entry)
}

/** Remove every entry of a header. */
export function removeHeader(msg: SipMessage, name: string): void {
  const key = canonicalName(name)
  msg.headers = msg.headers.filter((h) => h.name !== key)
}
