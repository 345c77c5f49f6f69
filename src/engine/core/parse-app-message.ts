import { canonicalName, type SipHeader, type SipMessage } from '../message/index.js'

/**
 * Parse a SIP message written by an app (srf): it may lack Via, Call-ID, CSeq… because
 * the engine fills those in (§A.4), so this parser only needs a start line. Returns
 * undefined for something that is not a SIP message at all.
 */
export function parseAppMessage(buf: Buffer): SipMessage | undefined {
  const text = buf.toString('utf8')
  let headEnd = text.indexOf('\r\n\r\n')
  let sepLen = 4
  if (headEnd < 0) {
    headEnd = text.length
    sepLen = 0
  }
  const lines = text.slice(0, headEnd).split('\r\n')
  const start = lines.shift() ?? ''
  const headers: SipHeader[] = []
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && headers.length > 0) {
      headers[headers.length - 1].value += ' ' + line.trim()
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    headers.push({ name: canonicalName(line.slice(0, colon).trim()), value: line.slice(colon + 1).trim() })
  }
  const bodyText = sepLen ? text.slice(headEnd + sepLen) : ''
  const body = Buffer.from(bodyText, 'utf8')
  const status = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/i.exec(start)
  if (status) return { kind: 'response', status: Number(status[1]), reason: status[2] || 'OK', headers, body }
  const request = /^([A-Za-z]+)\s+(\S+)\s+SIP\/2\.0$/i.exec(start.trim())
  if (request) return { kind: 'request', method: request[1].toUpperCase(), uri: request[2], headers, body }
  return undefined
}
