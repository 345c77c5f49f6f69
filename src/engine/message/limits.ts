/**
 * Size limits applied to every message before it is trusted. RFC 3261 sets none; these
 * bound the work one datagram or one stream can cause.
 */
export const SIP_LIMITS = {
  /** bytes from the start line through the empty line that ends the header section */
  maxHeaderBytes: 16_384,
  /** header lines (a folded line counts once, a comma list line counts once) */
  maxHeaders: 100,
  /** body bytes on a stream (TCP) before the stream is given up */
  maxBodyBytes: 65_536,
} as const
