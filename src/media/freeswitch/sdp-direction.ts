/**
 * Set the direction attribute of every audio m-line (RFC 3264 §6.1, §8.4: hold is
 * a=sendonly, or a=inactive when we were already recvonly) in an SDP FreeSWITCH wrote.
 * Parsed per m-line with sdp-transform, never substring-searched.
 */
import sdpTransform from 'sdp-transform'
import type { SdpDirection } from './mute-state.js'

export function withAudioDirection(sdp: string, direction: SdpDirection): string {
  const parsed = sdpTransform.parse(sdp)
  delete (parsed as { direction?: string }).direction
  for (const m of parsed.media) if (m.type === 'audio') m.direction = direction
  return sdpTransform.write(parsed)
}

/** the first audio m-line's direction (session-level default when the m-line has none) */
export function audioDirection(sdp: string): SdpDirection {
  const parsed = sdpTransform.parse(sdp)
  const m = parsed.media.find((x) => x.type === 'audio')
  return (m?.direction ?? (parsed as { direction?: SdpDirection }).direction ?? 'sendrecv') as SdpDirection
}

/** the first audio codec in the m-line's payload order, e.g. 'PCMU' */
export function firstAudioCodec(sdp: string): string | undefined {
  const m = sdpTransform.parse(sdp).media.find((x) => x.type === 'audio')
  if (!m) return undefined
  const first = String(m.payloads ?? '').split(' ')[0]
  return m.rtp.find((r) => String(r.payload) === first)?.codec
}
