import { parseContentLength, parseMessage } from './parser.js'
import { SIP_LIMITS } from './limits.js'
import { parseStartLine } from './start-line.js'
import { SipParseError, type SipRequest } from './types.js'

/**
 * Where the framer is in the byte stream.
 *
 *   Between ──(first byte that is not CR/LF)──► Headers ──(empty line, Content-Length read)──► Body
 *      ▲                                                                                         │
 *      └──────────────────────────────(Content-Length bytes received: message out)──────────────┘
 *   any state ──(limit exceeded, junk, no/invalid Content-Length)──► Failed (every later push throws)
 */
export enum FramerState {
  Between = 'between',
  Headers = 'headers',
  Body = 'body',
  Failed = 'failed',
}

export interface SipStreamFramerOptions {
  /** default 16384 */
  maxHeaderBytes?: number
  /** default 65536 */
  maxBodyBytes?: number
}

const EMPTY = Buffer.alloc(0)

/**
 * Cuts a TCP byte stream into SIP messages by Content-Length (RFC 3261 §18.3).
 *
 * - CRLFs before a start line are skipped (§7.5); a double CRLF there is a keep-alive ping
 *   (RFC 5626 §3.5.1) and is reported as `'ping'` so the transport can answer one CRLF.
 * - Each message is returned as its own Buffer (a copy: it does not pin the socket's chunk),
 *   ready for parseMessage().
 * - The stream is given up with SipParseError (and every later push throws too) when the
 *   first line is not a SIP start line or holds control bytes (junk), when the header section
 *   exceeds maxHeaderBytes, or when Content-Length is missing, invalid, conflicting or above
 *   maxBodyBytes. For a missing Content-Length on an otherwise readable request, the error's
 *   `partial` is set so the transport can answer 400 before closing.
 */
export class SipStreamFramer {
  #state: FramerState = FramerState.Between
  #failure: SipParseError | undefined
  readonly #maxHeaderBytes: number
  readonly #maxBodyBytes: number
  /** contiguous bytes not yet returned (Between / Headers) */
  #pending: Buffer = EMPTY
  /** Body state: chunks received after #pending, concatenated once the message is complete */
  #bodyChunks: Buffer[] = []
  #bodyChunkBytes = 0
  /** Headers state: where the next unread line starts in #pending */
  #lineStart = 0
  #sawStartLine = false
  /** Headers state, before the start line is complete: bytes already checked for control bytes */
  #checkedTo = 0
  #contentLength: number | undefined
  /** Body state: total bytes of the current message */
  #messageEnd = 0

  constructor(opts?: SipStreamFramerOptions) {
    this.#maxHeaderBytes = opts?.maxHeaderBytes ?? SIP_LIMITS.maxHeaderBytes
    this.#maxBodyBytes = opts?.maxBodyBytes ?? SIP_LIMITS.maxBodyBytes
  }

  get state(): FramerState {
    return this.#state
  }

  /** Bytes held waiting for the rest of a message. */
  get bufferedBytes(): number {
    return this.#pending.length + this.#bodyChunkBytes
  }

  /** Feed bytes from the stream; returns the complete messages (and pings) they finish. */
  push(chunk: Buffer): Array<Buffer | 'ping'> {
    if (this.#failure !== undefined) throw this.#failure
    const out: Array<Buffer | 'ping'> = []
    if (chunk.length === 0) return out
    if (this.#state === FramerState.Body) {
      this.#bodyChunks.push(chunk)
      this.#bodyChunkBytes += chunk.length
      if (this.#pending.length + this.#bodyChunkBytes < this.#messageEnd) return out
      this.#pending = Buffer.concat([this.#pending, ...this.#bodyChunks])
      this.#bodyChunks = []
      this.#bodyChunkBytes = 0
    } else {
      this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk])
    }
    try {
      this.#drain(out)
    } catch (err) {
      this.#failure =
        err instanceof SipParseError ? err : new SipParseError(`stream framing failed: ${(err as Error).message}`)
      this.#state = FramerState.Failed
      this.#pending = EMPTY
      throw this.#failure
    }
    return out
  }

  #drain(out: Array<Buffer | 'ping'>): void {
    for (;;) {
      const buf = this.#pending
      if (this.#state === FramerState.Between) {
        if (buf.length === 0) return
        const b0 = buf[0]
        if (b0 === 0x0a) {
          this.#consume(1) // a bare LF between messages: tolerated like a CRLF
          continue
        }
        if (b0 === 0x0d) {
          if (buf.length < 2) return
          if (buf[1] !== 0x0a) throw new SipParseError('junk on stream: CR without LF')
          if (buf.length === 2 || (buf.length === 3 && buf[2] === 0x0d)) return // maybe the start of a ping
          if (buf[2] === 0x0d && buf[3] === 0x0a) {
            out.push('ping')
            this.#consume(4)
          } else {
            this.#consume(2)
          }
          continue
        }
        this.#state = FramerState.Headers
        this.#lineStart = 0
        this.#sawStartLine = false
        this.#checkedTo = 0
        this.#contentLength = undefined
      }

      if (this.#state === FramerState.Headers) {
        const bodyStart = this.#scanHeaderLines()
        if (bodyStart === -1) {
          if (buf.length > this.#maxHeaderBytes) {
            throw new SipParseError(`header section exceeds ${this.#maxHeaderBytes} bytes`)
          }
          return
        }
        if (bodyStart > this.#maxHeaderBytes) throw new SipParseError(`header section exceeds ${this.#maxHeaderBytes} bytes`)
        if (this.#contentLength === undefined) {
          throw new SipParseError('missing Content-Length on a stream (RFC 3261 §18.3)', partialOf(buf.subarray(0, bodyStart)))
        }
        if (this.#contentLength > this.#maxBodyBytes) {
          throw new SipParseError(`Content-Length ${this.#contentLength} exceeds ${this.#maxBodyBytes} bytes`)
        }
        this.#messageEnd = bodyStart + this.#contentLength
        this.#state = FramerState.Body
      }

      // Body
      if (buf.length < this.#messageEnd) return
      out.push(Buffer.from(buf.subarray(0, this.#messageEnd)))
      this.#consume(this.#messageEnd)
      this.#state = FramerState.Between
    }
  }

  /**
   * Read the complete lines not read yet. Returns the offset just past the empty line that
   * ends the header section, or -1 when it has not arrived. Checks the start line (junk
   * detection) and picks up Content-Length (`l` in compact form).
   */
  #scanHeaderLines(): number {
    const buf = this.#pending
    const limit = Math.min(buf.length, this.#maxHeaderBytes + 2)
    let start = this.#lineStart
    while (start < limit) {
      const nl = buf.indexOf(0x0a, start)
      if (nl === -1 || nl >= limit) {
        if (!this.#sawStartLine) {
          assertNoControlBytes(buf, Math.max(start, this.#checkedTo), limit)
          this.#checkedTo = limit
        }
        break
      }
      const end = nl > start && buf[nl - 1] === 0x0d ? nl - 1 : nl
      if (!this.#sawStartLine) {
        assertNoControlBytes(buf, Math.max(start, this.#checkedTo), end)
        try {
          parseStartLine(buf.toString('latin1', start, end))
        } catch (err) {
          throw new SipParseError(`junk on stream: ${(err as Error).message}`)
        }
        this.#sawStartLine = true
      } else if (end === start) {
        return nl + 1
      } else {
        this.#readContentLength(buf, start, end)
      }
      start = nl + 1
    }
    this.#lineStart = start
    return -1
  }

  #readContentLength(buf: Buffer, start: number, end: number): void {
    const b = buf[start] | 0x20 // lower-case an ASCII letter
    if (b !== 0x63 /* c */ && b !== 0x6c /* l */) return
    const line = buf.toString('latin1', start, end)
    const colon = line.indexOf(':')
    if (colon === -1) return // parseMessage reports it
    const name = line.slice(0, colon).trim().toLowerCase()
    if (name !== 'content-length' && name !== 'l') return
    const n = parseContentLength(line.slice(colon + 1).trim())
    if (n === undefined) throw new SipParseError('invalid Content-Length on a stream')
    if (this.#contentLength !== undefined && this.#contentLength !== n) {
      throw new SipParseError('conflicting Content-Length headers on a stream')
    }
    this.#contentLength = n
  }

  #consume(n: number): void {
    this.#pending = n >= this.#pending.length ? EMPTY : this.#pending.subarray(n)
  }
}

/** Bytes other than HT, CR, LF below 0x20, and DEL, cannot start a SIP message. */
function assertNoControlBytes(buf: Buffer, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const b = buf[i]
    if ((b < 0x20 && b !== 0x09 && b !== 0x0d) || b === 0x7f) throw new SipParseError('junk on stream: control bytes')
  }
}

/** The request a 400 can be built from, when the header section allows one. */
function partialOf(head: Buffer): SipRequest | undefined {
  try {
    const msg = parseMessage(head)
    return msg.kind === 'request' ? msg : undefined
  } catch (err) {
    return err instanceof SipParseError ? err.partial : undefined
  }
}
