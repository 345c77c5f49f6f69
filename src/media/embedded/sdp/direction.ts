import type { MediaDescription, SessionDescription } from 'sdp-transform'

/** RFC 3264 §5.1 / RFC 4566 §6 media direction attributes. */
export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'

const DIRECTIONS: ReadonlySet<string> = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive'])

/**
 * The direction of one m-line: its own attribute, else the session-level one, else
 * sendrecv (RFC 4566 §6: "If none of the attributes … is present, sendrecv SHOULD be
 * assumed"). Read from the parsed SDP — never by searching the text.
 */
export function mediaDirection(media: MediaDescription, session?: SessionDescription): SdpDirection {
  const own = media.direction
  if (own && DIRECTIONS.has(own)) return own as SdpDirection
  const sess = (session as { direction?: string } | undefined)?.direction
  if (sess && DIRECTIONS.has(sess)) return sess as SdpDirection
  return 'sendrecv'
}

export function directionSends(d: SdpDirection): boolean {
  return d === 'sendrecv' || d === 'sendonly'
}

export function directionReceives(d: SdpDirection): boolean {
  return d === 'sendrecv' || d === 'recvonly'
}

export function directionOf(sends: boolean, receives: boolean): SdpDirection {
  if (sends && receives) return 'sendrecv'
  if (sends) return 'sendonly'
  if (receives) return 'recvonly'
  return 'inactive'
}

/**
 * RFC 3264 §6.1: the answer's direction for an offered stream. We may send only if the
 * offerer receives, and receive only if it sends; within that, what we `desire`.
 * (sendonly offer → recvonly answer, recvonly → sendonly, inactive → inactive.)
 */
export function answerDirection(offered: SdpDirection, desired: SdpDirection): SdpDirection {
  return directionOf(directionReceives(offered) && directionSends(desired), directionSends(offered) && directionReceives(desired))
}
