import sdpTransform, { type MediaDescription, type SessionDescription } from 'sdp-transform'
import { LivecallError } from '../../../errors/index.js'
import { G711_PAYLOAD_TYPE, type G711Codec } from '../codec/g711.js'
import { answerDirection, directionReceives, directionSends, mediaDirection, type SdpDirection } from './direction.js'

/** The payload type we offer telephone-event on (RFC 4733 §7.1.1: dynamic). */
export const OUR_TELEPHONE_EVENT_PT = 101

/** What one completed offer/answer exchange decided for the audio stream. */
export interface NegotiatedAudio {
  codec: G711Codec
  /** PT of the codec on the wire, both ways (RFC 3264 §6.1: the answer reuses the offer's numbers) */
  payloadType: number
  /** PT of telephone-event/8000, or null when not negotiated */
  telephoneEventPt: number | null
  remoteAddress: string
  remotePort: number
  /** the far end's direction attribute for this m-line */
  remoteDirection: SdpDirection
  /** our direction attribute for this m-line */
  localDirection: SdpDirection
  /** we may send: we said send and they said receive, and they gave a usable address */
  canSend: boolean
  /** they may send to us */
  canReceive: boolean
}

/** One m-line of the session as we describe it; only the audio one at `audioIndex` is live. */
export interface MLineTemplate {
  type: string
  protocol: string
  payloads: string
}

export function badSdp(message: string): LivecallError {
  return new LivecallError('LIVECALL_ERR_MEDIA_BAD_SDP', message, 400)
}

export function noCodec(message: string): LivecallError {
  return new LivecallError('LIVECALL_ERR_MEDIA_NO_CODEC', message, 488)
}

export function parseSdp(sdp: string): SessionDescription {
  if (typeof sdp !== 'string' || !/^v=0/m.test(sdp)) throw badSdp('remote SDP is not an SDP body (no v=0 line)')
  let parsed: SessionDescription
  try {
    parsed = sdpTransform.parse(sdp)
  } catch (err) {
    throw new LivecallError('LIVECALL_ERR_MEDIA_BAD_SDP', `remote SDP does not parse: ${(err as Error).message}`, 400, { cause: err })
  }
  if (!Array.isArray(parsed.media) || parsed.media.length === 0) throw badSdp('remote SDP has no m= line')
  return parsed
}

const PLAIN_RTP = /^RTP\/AVPF?$/

/** Codecs (by name) mapped to their PT in this m-line: rtpmap first, else static PTs (RFC 3551 §6). */
function payloadMap(media: MediaDescription): { byCodec: Map<string, number>; order: number[]; names: string[] } {
  const order = String(media.payloads ?? '')
    .trim()
    .split(/\s+/)
    .filter((p) => p !== '')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n >= 0 && n <= 127)
  const byPt = new Map<number, string>()
  for (const r of media.rtp ?? []) byPt.set(r.payload, `${r.codec.toUpperCase()}/${r.rate ?? ''}`)
  const byCodec = new Map<string, number>()
  const names: string[] = []
  for (const pt of order) {
    let name = byPt.get(pt)
    if (!name) name = pt === 0 ? 'PCMU/8000' : pt === 8 ? 'PCMA/8000' : `PT${pt}`
    names.push(name)
    if (!byCodec.has(name)) byCodec.set(name, pt)
  }
  return { byCodec, order, names }
}

function connectionAddress(media: MediaDescription, session: SessionDescription): string {
  const ip = media.connection?.ip ?? session.connection?.ip
  if (!ip) throw badSdp('remote SDP has no c= line for its audio stream')
  return ip.split('/')[0]
}

/**
 * Decide the audio stream from the far end's SDP.
 * - as an answer to our offer: their first listed codec among those we offered;
 * - as an offer: their first listed codec we accept (their preference order, RFC 3264 §6.1).
 * The first RTP/AVP(F) audio m-line with a common codec is used; others get port 0 in our answer.
 * No common codec → LIVECALL_ERR_MEDIA_NO_CODEC (488 Not Acceptable Here).
 */
export function selectAudio(
  remote: SessionDescription,
  accept: readonly G711Codec[],
  desired: SdpDirection,
  role: 'offer' | 'answer',
  /** for an answer: the direction we offered */
  offeredLocal?: SdpDirection,
): { index: number; audio: NegotiatedAudio } {
  const seen: string[] = []
  for (let index = 0; index < remote.media.length; index++) {
    const m = remote.media[index]
    if (m.type !== 'audio' || !PLAIN_RTP.test(m.protocol)) continue
    if (role === 'answer' && m.port === 0) throw noCodec('the far end rejected our audio stream (port 0)')
    const { byCodec, names } = payloadMap(m)
    seen.push(...names)
    let codec: G711Codec | undefined
    for (const name of byCodec.keys()) {
      const c = name.replace(/\/8000$/, '') as G711Codec
      if (name.endsWith('/8000') && accept.includes(c)) {
        codec = c
        break
      }
    }
    if (!codec) continue
    const te = byCodec.get('TELEPHONE-EVENT/8000') ?? null
    const remoteDirection = mediaDirection(m, remote)
    const localDirection = role === 'offer' ? answerDirection(remoteDirection, desired) : (offeredLocal ?? desired)
    const remoteAddress = connectionAddress(m, remote)
    const usable = m.port > 0 && remoteAddress !== '0.0.0.0' // RFC 3264 §8.4: c=0.0.0.0 is the old hold
    return {
      index,
      audio: {
        codec,
        payloadType: byCodec.get(`${codec}/8000`) ?? G711_PAYLOAD_TYPE[codec],
        telephoneEventPt: te,
        remoteAddress,
        remotePort: m.port,
        remoteDirection,
        localDirection,
        canSend: usable && directionSends(localDirection) && directionReceives(remoteDirection),
        canReceive: directionReceives(localDirection) && directionSends(remoteDirection),
      },
    }
  }
  const what = seen.length ? `the far end offers ${[...new Set(seen)].join(', ')}` : 'the far end has no RTP/AVP audio stream'
  throw noCodec(`no common audio codec: ${what}; livecall accepts ${accept.map((c) => `${c}/8000`).join(', ')}`)
}

export interface LocalSdpInput {
  host: string
  port: number
  sessionId: string
  sessionVersion: number
  /** codecs with their PTs, in our preference order */
  codecs: Array<{ codec: G711Codec; payloadType: number }>
  telephoneEventPt: number | null
  direction: SdpDirection
  /** the whole session's m-lines; the audio one at `audioIndex` is ours, the others are rejected (port 0) */
  mlines: MLineTemplate[]
  audioIndex: number
}

/** Our SDP (RFC 4566), offer or answer. ptime 20 ms is what we send (RFC 4566 §6). */
export function buildLocalSdp(i: LocalSdpInput): string {
  const lines = [
    'v=0',
    `o=livecall ${i.sessionId} ${i.sessionVersion} IN IP4 ${i.host}`,
    's=livecall',
    `c=IN IP4 ${i.host}`,
    't=0 0',
  ]
  i.mlines.forEach((m, index) => {
    if (index !== i.audioIndex) {
      lines.push(`m=${m.type} 0 ${m.protocol} ${m.payloads}`)
      return
    }
    const pts = i.codecs.map((c) => c.payloadType)
    if (i.telephoneEventPt !== null) pts.push(i.telephoneEventPt)
    lines.push(`m=audio ${i.port} RTP/AVP ${pts.join(' ')}`)
    for (const c of i.codecs) lines.push(`a=rtpmap:${c.payloadType} ${c.codec}/8000`)
    if (i.telephoneEventPt !== null) {
      lines.push(`a=rtpmap:${i.telephoneEventPt} telephone-event/8000`, `a=fmtp:${i.telephoneEventPt} 0-16`)
    }
    lines.push('a=ptime:20', `a=${i.direction}`)
  })
  return lines.join('\r\n') + '\r\n'
}
