import { isUtf8 } from 'node:buffer'
import { parseCSeq } from './cseq.js'
import { canonicalWireName, LIST_HEADERS } from './header-names.js'
import { SIP_LIMITS } from './limits.js'
import { splitList } from './split-list.js'
import { parseStartLine, type StartLine } from './start-line.js'
import { SipParseError, type SipHeader, type SipMessage, type SipRequest } from './types.js'
import { parseVia } from './via.js'

export interface ParseOptions {
  /** default SIP_LIMITS.maxHeaderBytes (16 KiB) */
  maxHeaderBytes?: number
}

/** Control characters other than HT, CR, LF; DEL; a CR not followed by LF; and any non-ASCII byte (checked further). */
const SUSPECT_RE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xff]|\r(?!\n)/
const CONTROL_RE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)/

/**
 * Parse one complete SIP message (a UDP datagram, or one message cut from a stream by
 * SipStreamFramer). RFC 3261 §7.
 *
 * Tolerated (legal or harmless): CRLFs before the start line (§7.5), LF-only line ends,
 * folded header lines (§7.3.1), any case and compact header names (§7.3.3), whitespace
 * around the colon, comma-separated list headers (split into one entry per element),
 * `sip/2.0` in lower case (§7.1), bytes after Content-Length octets (ignored, §18.3), no
 * Content-Length at all (the body is the rest of the datagram, §18.3). UTF-8 is allowed in
 * header values (§25.1 TEXT-UTF8).
 *
 * Refused with SipParseError: an empty or CRLF-only buffer, a bad start line, a version
 * other than SIP/2.0, a status outside 100–699, a header line without a colon or with an
 * invalid name, control characters or invalid UTF-8 in the header section, more than
 * SIP_LIMITS.maxHeaders header lines, a header section over maxHeaderBytes, no empty line
 * after the headers, a missing or duplicated Via/From/To/Call-ID/CSeq (§8.1.1), a top Via
 * that does not parse, a bad CSeq or one whose method differs from the request's
 * (§8.1.1.5), a bad Content-Length or one larger than the bytes present (§18.3).
 *
 * `error.partial` is set when the start line is a valid request line other than ACK and the
 * top Via is readable: enough for a transport to answer 400 (§8.2.2, §18.2.2), copying
 * whichever of From, To, Call-ID and CSeq are there. An ACK never gets a response (§17.1.1.3), so it never has one.
 *
 * The body is a view on `buf` (no copy).
 */
export function parseMessage(buf: Buffer, opts?: ParseOptions): SipMessage {
  const maxHeaderBytes = opts?.maxHeaderBytes ?? SIP_LIMITS.maxHeaderBytes
  const len = buf.length
  if (len === 0) throw new SipParseError('empty message')
  let start = 0
  while (start < len && (buf[start] === 0x0d || buf[start] === 0x0a)) start++
  if (start === len) throw new SipParseError('message holds only line breaks')

  // Find the empty line ending the header section within the allowed size.
  const scanEnd = Math.min(len, start + maxHeaderBytes)
  const latin1 = buf.toString('latin1', start, scanEnd)
  const crlfBlank = latin1.indexOf('\n\r\n')
  const lfBlank = latin1.indexOf('\n\n')
  let headerTextEnd: number // end of the last header line, including its '\n'
  let bodyStart = -1 // absolute offset in buf; -1 when the header section is not terminated
  let fatal: string | undefined
  if (crlfBlank !== -1 && (lfBlank === -1 || crlfBlank < lfBlank)) {
    headerTextEnd = crlfBlank + 1
    bodyStart = start + crlfBlank + 3
  } else if (lfBlank !== -1) {
    headerTextEnd = lfBlank + 1
    bodyStart = start + lfBlank + 2
  } else {
    headerTextEnd = latin1.lastIndexOf('\n') + 1
    fatal =
      scanEnd < len
        ? `header section exceeds ${maxHeaderBytes} bytes`
        : 'truncated message: no empty line after the header section'
  }
  if (headerTextEnd === 0) throw new SipParseError(fatal ?? 'truncated start line')

  // Character checks once over the whole header section (one native scan in the common case).
  let text = latin1.length === headerTextEnd ? latin1 : latin1.slice(0, headerTextEnd)
  let checkEachLine = false
  if (SUSPECT_RE.test(text)) {
    if (CONTROL_RE.test(text)) {
      fatal ??= 'control character in header section'
      checkEachLine = true
    } else if (isUtf8(buf.subarray(start, start + headerTextEnd))) {
      text = buf.toString('utf8', start, start + headerTextEnd)
    } else {
      fatal ??= 'invalid UTF-8 in header section'
    }
  }

  // Start line: any fault here makes the message unanswerable.
  const firstNl = text.indexOf('\n')
  const startLineText = text.slice(0, text.charCodeAt(firstNl - 1) === 0x0d ? firstNl - 1 : firstNl)
  if (checkEachLine && CONTROL_RE.test(startLineText)) throw new SipParseError('control character in start line')
  const startLine = parseStartLine(startLineText)

  // Header lines.
  const headers: SipHeader[] = []
  let lineCount = 0
  let name: string | undefined // the header being read (folded lines append to it)
  let value = ''
  let pos = firstNl + 1
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos)
    const lineEnd = text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl
    if (checkEachLine && CONTROL_RE.test(text.slice(pos, lineEnd))) {
      if (name !== undefined) pushHeader(headers, name, value)
      name = undefined
      pos = nl + 1
      continue
    }
    const c = text.charCodeAt(pos)
    if (c === 0x20 || c === 0x09) {
      // RFC 3261 §7.3.1: a line starting with whitespace continues the previous header.
      if (name === undefined) fatal ??= 'continuation line without a header'
      else {
        const more = text.slice(pos, lineEnd).trim()
        if (more !== '') value = value === '' ? more : `${value} ${more}`
      }
    } else {
      if (name !== undefined) pushHeader(headers, name, value)
      name = undefined
      lineCount++
      const colon = text.indexOf(':', pos)
      if (colon === -1 || colon > lineEnd) {
        fatal ??= 'header line without a colon'
      } else {
        let nameEnd = colon
        while (nameEnd > pos && (text.charCodeAt(nameEnd - 1) === 0x20 || text.charCodeAt(nameEnd - 1) === 0x09)) nameEnd--
        const canonical = canonicalWireName(text.slice(pos, nameEnd))
        if (canonical === undefined) fatal ??= 'invalid header name'
        else {
          name = canonical
          value = text.slice(colon + 1, lineEnd).trim()
        }
      }
    }
    pos = nl + 1
  }
  if (name !== undefined) pushHeader(headers, name, value)
  if (lineCount > SIP_LIMITS.maxHeaders) fatal ??= `more than ${SIP_LIMITS.maxHeaders} header lines`

  return finish(buf, startLine, headers, bodyStart, fatal)
}

/** Store one header, split into one entry per element for list headers (RFC 3261 §7.3.1). */
function pushHeader(headers: SipHeader[], name: string, value: string): void {
  if (value.indexOf(',') !== -1 && LIST_HEADERS.has(name)) {
    for (const part of splitList(value)) headers.push({ name, value: part })
  } else {
    headers.push({ name, value })
  }
}

/** Mandatory headers, CSeq, Content-Length and body; throws with `partial` when answerable. */
function finish(
  buf: Buffer,
  startLine: StartLine,
  headers: SipHeader[],
  bodyStart: number,
  fatalSoFar: string | undefined,
): SipMessage {
  let fatal = fatalSoFar
  let topVia: string | undefined
  let from = 0
  let to = 0
  let callId = 0
  let cseq: string | undefined
  let cseqCount = 0
  let contentLength: string | undefined
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]
    switch (h.name) {
      case 'via':
        if (topVia === undefined) topVia = h.value
        break
      case 'from':
        if (h.value !== '') from++
        break
      case 'to':
        if (h.value !== '') to++
        break
      case 'call-id':
        if (h.value !== '') callId++
        break
      case 'cseq':
        if (h.value !== '') {
          cseqCount++
          cseq ??= h.value
        }
        break
      case 'content-length':
        if (contentLength === undefined) contentLength = h.value
        else if (contentLength !== h.value) fatal ??= 'conflicting Content-Length headers'
        break
    }
  }

  let viaReadable = false
  if (topVia === undefined) fatal ??= 'missing Via header'
  else {
    try {
      parseVia(topVia)
      viaReadable = true
    } catch (err) {
      fatal ??= (err as Error).message
    }
  }
  if (from === 0) fatal ??= 'missing From header'
  if (to === 0) fatal ??= 'missing To header'
  if (callId === 0) fatal ??= 'missing Call-ID header'
  if (cseq === undefined) fatal ??= 'missing CSeq header'
  if (from > 1 || to > 1 || callId > 1 || cseqCount > 1) fatal ??= 'duplicated From, To, Call-ID or CSeq header'
  if (cseq !== undefined) {
    try {
      const parsed = parseCSeq(cseq)
      if (startLine.kind === 'request' && parsed.method !== startLine.method) {
        fatal ??= `CSeq method ${parsed.method} does not match request method ${startLine.method}`
      }
    } catch (err) {
      fatal ??= (err as Error).message
    }
  }

  let body: Buffer = buf.subarray(buf.length)
  if (bodyStart !== -1 && fatal === undefined) {
    if (contentLength === undefined) body = buf.subarray(bodyStart)
    else {
      const n = parseContentLength(contentLength)
      if (n === undefined) fatal = 'invalid Content-Length'
      else if (bodyStart + n > buf.length) fatal = `Content-Length ${n} exceeds the ${buf.length - bodyStart} body bytes present`
      else body = buf.subarray(bodyStart, bodyStart + n)
    }
  }

  if (fatal !== undefined) {
    // An ACK is never answered (RFC 3261 §17.1.1.3, §17.2.1), so it is never respondable.
    // A readable top Via is all a 400 needs to find its way back (§18.2.2); it copies
    // whatever From/To/Call-ID/CSeq there are, as drachtio-server (sofia) does.
    const answerable = startLine.kind === 'request' && startLine.method !== 'ACK' && viaReadable
    const partial: SipRequest | undefined =
      answerable && startLine.kind === 'request'
        ? { kind: 'request', method: startLine.method, uri: startLine.uri, headers, body: buf.subarray(buf.length) }
        : undefined
    throw new SipParseError(fatal, partial)
  }
  if (startLine.kind === 'request') return { kind: 'request', method: startLine.method, uri: startLine.uri, headers, body }
  return { kind: 'response', status: startLine.status, reason: startLine.reason, headers, body }
}

/** Content-Length = 1*DIGIT (RFC 3261 §20.14); undefined when not a number. */
export function parseContentLength(value: string): number | undefined {
  if (value.length === 0 || value.length > 10) return undefined
  let n = 0
  for (let i = 0; i < value.length; i++) {
    const d = value.charCodeAt(i) - 48
    if (d < 0 || d > 9) return undefined
    n = n * 10 + d
  }
  return n
}
