import { parse } from 'sdp-transform'

/** RFC 3264 §5.1 / §6.1: the direction attribute of one media stream. */
export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'

const DIRECTIONS: readonly SdpDirection[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive']

/**
 * The direction of every m-line, in order (RFC 3264 §5.1): a media-level attribute wins
 * over the session-level one, and sendrecv is the default. A stream whose connection
 * address is 0.0.0.0 (the RFC 2543 way to hold, still sent by old PBXs; RFC 3264 §8.4)
 * counts as inactive. A port of 0 (a rejected stream) is inactive too.
 */
export function mediaDirections(sdp: string): SdpDirection[] {
  const session = parse(sdp)
  const sessionDir = asDirection(session.direction) ?? 'sendrecv'
  const sessionAddr = session.connection?.ip
  return (session.media ?? []).map((m) => {
    const addr = m.connection?.ip ?? sessionAddr
    if (m.port === 0 || addr === '0.0.0.0') return 'inactive'
    return asDirection(m.direction) ?? sessionDir
  })
}

/** The direction of the first audio stream (what a two-party call cares about), sendrecv when none. */
export function audioDirection(sdp: string): SdpDirection {
  const session = parse(sdp)
  const index = (session.media ?? []).findIndex((m) => m.type === 'audio')
  return index < 0 ? 'sendrecv' : mediaDirections(sdp)[index]
}

/** RFC 3264 §6.1: the direction an answer takes for an offered one. */
export function answerDirection(offered: SdpDirection): SdpDirection {
  switch (offered) {
    case 'sendonly': return 'recvonly'
    case 'recvonly': return 'sendonly'
    default: return offered
  }
}

/** The far end holds us when its offer stops it receiving: sendonly or inactive (RFC 3264 §8.4). */
export function isHoldOffer(offered: SdpDirection): boolean {
  return offered === 'sendonly' || offered === 'inactive'
}

function asDirection(value: unknown): SdpDirection | undefined {
  return DIRECTIONS.includes(value as SdpDirection) ? (value as SdpDirection) : undefined
}
