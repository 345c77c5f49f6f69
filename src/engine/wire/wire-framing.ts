import type { ErrorCode } from '../../errors/codes.js'

/**
 * drachtio wire protocol framing (drachtio-protocol.md §A.1): `<len>#<payload>`, where
 * `len` is the payload length in bytes as decimal ASCII. Messages may arrive several per
 * read or split anywhere, even inside the length prefix.
 */

/** drachtio-server reads at most 5 length digits and drops the client on a 6th (§A.1). */
export const MAX_LENGTH_DIGITS = 5

export class WireFrameError extends Error {
  readonly code: ErrorCode = 'LIVECALL_ERR_WIRE_FRAME'
}

export class WireReader {
  private buf: Buffer = Buffer.alloc(0)

  /** Complete payloads found so far; throws WireFrameError on a broken stream. */
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk])
    const out: Buffer[] = []
    for (;;) {
      const hash = this.buf.indexOf(0x23 /* # */)
      if (hash < 0) {
        if (this.buf.length > MAX_LENGTH_DIGITS) throw new WireFrameError('length prefix too long')
        if (!isDigits(this.buf, 0, this.buf.length)) throw new WireFrameError('bad length prefix')
        break
      }
      if (hash === 0 || hash > MAX_LENGTH_DIGITS || !isDigits(this.buf, 0, hash)) throw new WireFrameError('bad length prefix')
      const len = Number(this.buf.toString('latin1', 0, hash))
      const end = hash + 1 + len
      if (this.buf.length < end) break
      out.push(this.buf.subarray(hash + 1, end))
      this.buf = this.buf.subarray(end)
      if (this.buf.length === 0) break
    }
    return out
  }
}

function isDigits(b: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] < 0x30 || b[i] > 0x39) return false
  return true
}

/** Frame a payload: the leader tokens, then optionally CRLF and a SIP message. One allocation. */
export function frame(leader: string, sip?: Buffer | string): Buffer {
  const leaderBytes = Buffer.byteLength(leader, 'utf8')
  const sipBytes = sip === undefined ? 0 : typeof sip === 'string' ? Buffer.byteLength(sip, 'utf8') : sip.length
  const payloadBytes = sip === undefined ? leaderBytes : leaderBytes + 2 + sipBytes
  const prefix = `${payloadBytes}#`
  const out = Buffer.allocUnsafe(prefix.length + payloadBytes)
  let at = out.write(prefix, 0, 'latin1')
  at += out.write(leader, at, 'utf8')
  if (sip === undefined) return out
  at += out.write('\r\n', at, 'latin1')
  if (typeof sip === 'string') out.write(sip, at, 'utf8')
  else sip.copy(out, at)
  return out
}
