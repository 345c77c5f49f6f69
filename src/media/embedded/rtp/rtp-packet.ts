/**
 * RTP fixed header, RFC 3550 §5.1:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * |                           timestamp                           |
 * |           synchronization source (SSRC) identifier            |
 * |            contributing source (CSRC) identifiers             |  (CC × 32 bits)
 * |  header extension (X=1): profile(16) length(16) + length×32   |
 * |  payload …                                  [padding (P=1)]   |
 *
 * The relay path rewrites headers in place (no copy, no allocation per packet); only
 * `parseRtpHeader` results are read, so it returns into a caller-owned object.
 */

export const RTP_VERSION = 2
export const RTP_FIXED_HEADER_LENGTH = 12

/** Parsed view of one packet's header. Offsets point into the original buffer. */
export interface RtpHeader {
  marker: boolean
  payloadType: number
  sequenceNumber: number
  timestamp: number
  ssrc: number
  /** byte offset of the payload */
  payloadOffset: number
  /** payload length in bytes, padding excluded */
  payloadLength: number
}

export function createRtpHeader(): RtpHeader {
  return { marker: false, payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, payloadOffset: 0, payloadLength: 0 }
}

/**
 * RFC 5761 §4: with rtcp-mux, RTCP packet types 200–204 (SR, RR, SDES, BYE, APP) sit where
 * RTP has M+PT, i.e. second byte 200..204 (PT 72..76 with M set). Such a packet on the
 * RTP port is RTCP, not a malformed RTP packet.
 */
export function isRtcpPacket(buf: Uint8Array): boolean {
  if (buf.length < 8 || buf[0] >> 6 !== RTP_VERSION) return false
  const pt = buf[1]
  return pt >= 192 && pt <= 223
}

/**
 * Parse the header of `buf` into `out`. Returns false (never throws) when the packet is
 * not a well-formed RTP packet: too short, version ≠ 2, CSRC list / extension / padding
 * running past the end.
 */
export function parseRtpHeader(buf: Uint8Array, out: RtpHeader): boolean {
  const len = buf.length
  if (len < RTP_FIXED_HEADER_LENGTH) return false
  const b0 = buf[0]
  if (b0 >> 6 !== RTP_VERSION) return false
  const cc = b0 & 0x0f
  let offset = RTP_FIXED_HEADER_LENGTH + cc * 4
  if (offset > len) return false
  if (b0 & 0x10) {
    // RFC 3550 §5.3.1 header extension
    if (offset + 4 > len) return false
    const words = (buf[offset + 2] << 8) | buf[offset + 3]
    offset += 4 + words * 4
    if (offset > len) return false
  }
  let end = len
  if (b0 & 0x20) {
    // RFC 3550 §5.1 padding: last octet counts the padding octets, itself included
    const pad = buf[len - 1]
    if (pad === 0 || offset + pad > len) return false
    end = len - pad
  }
  const b1 = buf[1]
  out.marker = (b1 & 0x80) !== 0
  out.payloadType = b1 & 0x7f
  out.sequenceNumber = (buf[2] << 8) | buf[3]
  out.timestamp = ((buf[4] << 24) | (buf[5] << 16) | (buf[6] << 8) | buf[7]) >>> 0
  out.ssrc = ((buf[8] << 24) | (buf[9] << 16) | (buf[10] << 8) | buf[11]) >>> 0
  out.payloadOffset = offset
  out.payloadLength = end - offset
  return true
}

/** Overwrite M, PT, sequence number, timestamp and SSRC of an existing packet in place. */
export function rewriteRtpHeader(
  buf: Uint8Array,
  marker: boolean,
  payloadType: number,
  sequenceNumber: number,
  timestamp: number,
  ssrc: number,
): void {
  buf[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f)
  buf[2] = (sequenceNumber >>> 8) & 0xff
  buf[3] = sequenceNumber & 0xff
  buf[4] = (timestamp >>> 24) & 0xff
  buf[5] = (timestamp >>> 16) & 0xff
  buf[6] = (timestamp >>> 8) & 0xff
  buf[7] = timestamp & 0xff
  buf[8] = (ssrc >>> 24) & 0xff
  buf[9] = (ssrc >>> 16) & 0xff
  buf[10] = (ssrc >>> 8) & 0xff
  buf[11] = ssrc & 0xff
}

/**
 * A new packet (from Buffer's shared pool: no allocation of its own) with a 12-byte
 * header and room for `payloadLength` bytes, which the caller fills.
 */
export function buildRtpHeaderOnly(
  marker: boolean,
  payloadType: number,
  sequenceNumber: number,
  timestamp: number,
  ssrc: number,
  payloadLength: number,
): Buffer {
  const buf = Buffer.allocUnsafe(RTP_FIXED_HEADER_LENGTH + payloadLength)
  buf[0] = RTP_VERSION << 6
  rewriteRtpHeader(buf, marker, payloadType, sequenceNumber, timestamp, ssrc)
  return buf
}

/** A new packet with a 12-byte header (no CSRC, no extension) followed by `payload`. */
export function buildRtpPacket(
  marker: boolean,
  payloadType: number,
  sequenceNumber: number,
  timestamp: number,
  ssrc: number,
  payload: Uint8Array,
): Buffer {
  const buf = Buffer.allocUnsafe(RTP_FIXED_HEADER_LENGTH + payload.length)
  buf[0] = RTP_VERSION << 6
  rewriteRtpHeader(buf, marker, payloadType, sequenceNumber, timestamp, ssrc)
  buf.set(payload, RTP_FIXED_HEADER_LENGTH)
  return buf
}
