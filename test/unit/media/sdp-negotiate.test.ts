import { describe, expect, it } from 'vitest'
import { answerDirection } from '../../../src/media/embedded/sdp/direction.js'
import { SdpSession } from '../../../src/media/embedded/sdp/sdp-session.js'
import sdpTransform from 'sdp-transform'

function offer(mlines: string, session = ''): string {
  return ['v=0', 'o=- 1 1 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0', session, mlines].filter(Boolean).join('\r\n') + '\r\n'
}
const audio = (pts: string, extra: string[] = [], port = 4000) => [`m=audio ${port} RTP/AVP ${pts}`, ...extra].join('\r\n')

describe('SDP offer/answer (RFC 3264)', () => {
  it('answers with the offerer\'s first common codec and its telephone-event PT', () => {
    const s = new SdpSession('127.0.0.1', 42000, ['PCMU', 'PCMA'])
    const answer = s.applyRemote(offer(audio('18 8 0 96', ['a=rtpmap:18 G729/8000', 'a=rtpmap:96 telephone-event/8000'])))
    expect(s.negotiated).toMatchObject({ codec: 'PCMA', payloadType: 8, telephoneEventPt: 96, remoteAddress: '10.0.0.1', remotePort: 4000 })
    const m = sdpTransform.parse(answer).media[0]
    expect(m.port).toBe(42000)
    expect(m.payloads).toBe('8 96')
    expect(m.direction).toBe('sendrecv')
  })

  it('refuses an offer with no common codec: LIVECALL_ERR_MEDIA_NO_CODEC, 488, naming what was offered', () => {
    const s = new SdpSession('127.0.0.1', 42000, ['PCMU', 'PCMA'])
    let err: any
    try {
      s.applyRemote(offer(audio('18 111', ['a=rtpmap:18 G729/8000', 'a=rtpmap:111 opus/48000/2'])))
    } catch (e) {
      err = e
    }
    expect(err).toMatchObject({ code: 'LIVECALL_ERR_MEDIA_NO_CODEC', status: 488 })
    expect(err.message).toMatch(/G729\/8000.*OPUS\/48000/)
  })

  it('honours a codec restriction of the endpoint', () => {
    const s = new SdpSession('127.0.0.1', 42000, ['PCMA'])
    expect(() => s.applyRemote(offer(audio('0')))).toThrow(/no common audio codec/)
  })

  it('reads direction per m-line, falling back to the session level', () => {
    const s = new SdpSession('127.0.0.1', 42000, ['PCMU'])
    s.applyRemote(offer(audio('0', ['a=sendonly']), 'a=inactive'))
    expect(s.negotiated).toMatchObject({ remoteDirection: 'sendonly', localDirection: 'recvonly', canSend: false, canReceive: true })
    s.applyRemote(offer(audio('0'), 'a=inactive'))
    expect(s.negotiated).toMatchObject({ remoteDirection: 'inactive', localDirection: 'inactive', canSend: false, canReceive: false })
    // "sendonly" text elsewhere (session name, another m-line) does not count
    s.applyRemote(offer([audio('0'), 'm=video 5000 RTP/AVP 96', 'a=sendonly'].join('\r\n')).replace('s=-', 's=sendonly'))
    expect(s.negotiated).toMatchObject({ remoteDirection: 'sendrecv', canSend: true, canReceive: true })
  })

  it('maps offered directions to answers (RFC 3264 §6.1)', () => {
    expect(answerDirection('sendonly', 'sendrecv')).toBe('recvonly')
    expect(answerDirection('recvonly', 'sendrecv')).toBe('sendonly')
    expect(answerDirection('inactive', 'sendrecv')).toBe('inactive')
    expect(answerDirection('sendrecv', 'sendonly')).toBe('sendonly')
  })

  it('treats c=0.0.0.0 as hold (RFC 3264 §8.4): nothing is sent', () => {
    const s = new SdpSession('127.0.0.1', 42000, ['PCMU'])
    s.applyRemote(offer(audio('0')).replace(/c=IN IP4 10.0.0.1/, 'c=IN IP4 0.0.0.0'))
    expect(s.negotiated?.canSend).toBe(false)
  })

  it('rejects other m-lines with port 0, keeping their number and order', () => {
    const s = new SdpSession('127.0.0.1', 42000, ['PCMU'])
    const answer = s.applyRemote(offer(['m=video 5000 RTP/AVP 96', audio('0'), audio('8', [], 4002)].join('\r\n')))
    const media = sdpTransform.parse(answer).media
    expect(media.map((m) => [m.type, m.port])).toEqual([['video', 0], ['audio', 42000], ['audio', 0]])
  })

  it('skips an SRTP audio line', () => {
    const s = new SdpSession('127.0.0.1', 42000, ['PCMU'])
    expect(() => s.applyRemote(offer('m=audio 4000 RTP/SAVP 0'))).toThrow(expect.objectContaining({ code: 'LIVECALL_ERR_MEDIA_NO_CODEC' }))
  })

  it('offers PCMU, PCMA and telephone-event, then takes the answer\'s codec', () => {
    const s = new SdpSession('127.0.0.1', 42000, ['PCMU', 'PCMA'])
    const o = sdpTransform.parse(s.createOffer()).media[0]
    expect(o.payloads).toBe('0 8 101')
    expect(s.applyRemote(offer(audio('8 101', ['a=rtpmap:101 telephone-event/8000', 'a=recvonly'])))).toBe(s.localSdp)
    expect(s.negotiated).toMatchObject({ codec: 'PCMA', telephoneEventPt: 101, localDirection: 'sendrecv', canSend: true, canReceive: false })
  })

  it('bumps the o= version only when our description changes (RFC 3264 §8)', () => {
    const s = new SdpSession('127.0.0.1', 42000, ['PCMU'])
    const v = (sdp: string) => sdpTransform.parse(sdp).origin.sessionVersion
    const a1 = s.applyRemote(offer(audio('0')))
    const a2 = s.applyRemote(offer(audio('0')))
    expect(v(a2)).toBe(v(a1))
    const held = s.setDirection('sendonly')
    expect(v(held)).toBe(v(a1) + 1)
    expect(sdpTransform.parse(held).media[0].direction).toBe('sendonly')
  })

  it('refuses garbage with LIVECALL_ERR_MEDIA_BAD_SDP and keeps the previous negotiation', () => {
    const s = new SdpSession('127.0.0.1', 42000, ['PCMU'])
    s.applyRemote(offer(audio('0')))
    expect(() => s.applyRemote('hello')).toThrow(expect.objectContaining({ code: 'LIVECALL_ERR_MEDIA_BAD_SDP', status: 400 }))
    expect(s.negotiated?.codec).toBe('PCMU')
  })
})
