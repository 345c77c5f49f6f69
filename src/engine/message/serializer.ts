import { canonicalName, wireName } from './header-names.js'
import type { SipMessage } from './types.js'

const LINE_BREAK_RE = /\r\n|\r|\n/g

/**
 * Serialize a message for the wire (RFC 3261 §7): start line, one line per header entry
 * with its usual spelling (`Call-ID`, `CSeq`, `WWW-Authenticate`; unknown names capitalised
 * after each dash), then the body. Content-Length is always written from `body.length`
 * (§20.14, mandatory on streams per §18.3): it replaces any existing entry at the position
 * of the first one, or is appended last. A line break inside a value is turned into a space
 * so a value can never inject a header. Header text is encoded as UTF-8.
 */
export function serializeMessage(msg: SipMessage): Buffer {
  let head =
    msg.kind === 'request'
      ? `${msg.method} ${msg.uri} SIP/2.0\r\n`
      : `SIP/2.0 ${msg.status} ${oneLine(msg.reason)}\r\n`
  const contentLength = `Content-Length: ${msg.body.length}\r\n`
  let wroteLength = false
  const headers = msg.headers
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]
    const name = canonicalName(h.name) // tolerate hand-built entries with a non-canonical name
    if (name === 'content-length') {
      if (!wroteLength) head += contentLength
      wroteLength = true
      continue
    }
    head += `${wireName(name)}: ${oneLine(h.value)}\r\n`
  }
  if (!wroteLength) head += contentLength
  head += '\r\n'

  const headLength = Buffer.byteLength(head)
  // Not from Buffer's shared 8 KiB pool: serialized messages are often kept for a long time
  // (the last response of a transaction for Timer J, a dialog's ACK), and a kept slice of
  // the pool would keep the whole 8 KiB slab alive.
  const out = Buffer.allocUnsafeSlow(headLength + msg.body.length)
  out.write(head, 0, headLength, 'utf8')
  msg.body.copy(out, headLength)
  return out
}

function oneLine(text: string): string {
  return text.indexOf('\n') === -1 && text.indexOf('\r') === -1 ? text : text.replace(LINE_BREAK_RE, ' ')
}
