/**
 * The SIP message model (RFC 3261 §7). Headers keep their order and their original
 * spelling for the wire, and are looked up by canonical lower-case full name
 * (compact forms expanded: `v` → `via`, `i` → `call-id`, …; RFC 3261 §7.3.3).
 *
 * A header that appeared as one line with comma-separated values (`Via: a, b`) is
 * split into one entry per value for the headers where RFC 3261 §7.3.1 allows it
 * (Via, Route, Record-Route, Contact, and other list headers), so `getAll('via')`
 * always yields one entry per hop.
 */
import type { ErrorCode } from '../../errors/codes.js'
export interface SipHeader {
  /** canonical lower-case full name, e.g. `via`, `call-id`, `content-length` */
  readonly name: string
  /** the value, trimmed, folded lines unfolded (RFC 3261 §7.3.1) */
  value: string
}

interface SipMessageBase {
  headers: SipHeader[]
  /** the body as raw bytes (empty Buffer when none) */
  body: Buffer
}

export interface SipRequest extends SipMessageBase {
  readonly kind: 'request'
  /** upper-case method token as received, e.g. INVITE */
  method: string
  uri: string
}

export interface SipResponse extends SipMessageBase {
  readonly kind: 'response'
  status: number
  reason: string
}

export type SipMessage = SipRequest | SipResponse

/** A parsed Via header value (RFC 3261 §20.42, RFC 3581 rport). */
export interface Via {
  /** e.g. `UDP`, `TCP` (upper-case) */
  transport: string
  host: string
  port?: number
  /** parameters in order; a flag parameter (e.g. bare `rport`) maps to `null` */
  params: Map<string, string | null>
}

/** A parsed name-addr / addr-spec (From, To, Contact, Route, Record-Route; RFC 3261 §20.10). */
export interface NameAddr {
  displayName?: string
  uri: string
  /** header parameters after the URI (tag, expires, lr when outside <>, …), lower-case names */
  params: Map<string, string | null>
}

/** Thrown by the parser; `respondable` is true when enough was parsed to send a 400. */
export class SipParseError extends Error {
  readonly code: ErrorCode = 'LIVECALL_ERR_SIP_PARSE'
  constructor(
    message: string,
    /**
     * when set, the start line is a valid request line (not ACK) and the top Via is readable:
     * a 400 can be routed back and copies whatever From/To/Call-ID/CSeq exist (RFC 3261 §8.2.2, §18.2.2).
     * Holds the headers read so far and an empty body. Never set for responses.
     */
    readonly partial?: SipRequest,
  ) {
    super(message)
    this.name = 'SipParseError'
  }
  get respondable(): boolean {
    return this.partial !== undefined
  }
}
