import { describe, expect, it } from 'vitest'
import { answerDirection, audioDirection, isHoldOffer, mediaDirections } from '../../../src/sip/sdp-direction.js'

const sdp = (session: string[], ...media: string[][]) =>
  ['v=0', 'o=- 1 1 IN IP4 10.0.0.1', 's=-', 't=0 0', ...session, ...media.flat()].join('\r\n') + '\r\n'
const audio = (port = 4000, ...attrs: string[]) => [`m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', ...attrs]
const video = (port = 5000, ...attrs: string[]) => [`m=video ${port} RTP/AVP 96`, 'a=rtpmap:96 H264/90000', ...attrs]
const C = 'c=IN IP4 10.0.0.1'

describe('sdp-direction (RFC 3264)', () => {
  it('sendrecv by default', () => {
    expect(mediaDirections(sdp([C], audio()))).toEqual(['sendrecv'])
  })

  it('the session-level attribute applies to every m-line; a media-level one wins for its stream', () => {
    const s = sdp([C, 'a=sendonly'], audio(), video(5000, 'a=recvonly'))
    expect(mediaDirections(s)).toEqual(['sendonly', 'recvonly'])
    expect(audioDirection(s)).toBe('sendonly')
  })

  it('c=0.0.0.0 (RFC 2543 hold), at session or media level, counts as inactive', () => {
    expect(mediaDirections(sdp(['c=IN IP4 0.0.0.0'], audio()))).toEqual(['inactive'])
    expect(mediaDirections(sdp([C], [...audio().slice(0, 1), 'c=IN IP4 0.0.0.0', ...audio().slice(1)], video()))).toEqual(['inactive', 'sendrecv'])
  })

  it('a port of 0 (a rejected stream) is inactive', () => {
    expect(mediaDirections(sdp([C], video(0), audio(4000, 'a=recvonly')))).toEqual(['inactive', 'recvonly'])
    expect(audioDirection(sdp([C], video(0), audio(4000, 'a=recvonly')))).toBe('recvonly')
  })

  it('audioDirection is sendrecv when there is no audio stream', () => {
    expect(audioDirection(sdp([C], video()))).toBe('sendrecv')
  })

  it('answerDirection mirrors sendonly/recvonly and keeps sendrecv/inactive; hold offers are sendonly/inactive', () => {
    expect(answerDirection('sendonly')).toBe('recvonly')
    expect(answerDirection('recvonly')).toBe('sendonly')
    expect(answerDirection('sendrecv')).toBe('sendrecv')
    expect(answerDirection('inactive')).toBe('inactive')
    expect([isHoldOffer('sendonly'), isHoldOffer('inactive'), isHoldOffer('recvonly'), isHoldOffer('sendrecv')]).toEqual([true, true, false, false])
  })
})
