import dgram from 'node:dgram'
import { afterEach, describe, expect, it } from 'vitest'
import { hearsTone, isSilent, nowMs, waitForTone } from '../../support/audio-check.js'
import { RtpPeer } from '../../support/rtp-peer.js'
import { SipUdpCallee } from '../../support/sip-udp-callee.js'
import { SipUdpPhone, sdpOf } from '../../support/sip-udp-phone.js'
import {
  answerDirection,
  buildMessage,
  buildResponse,
  header,
  methodOf,
  sdpDirection,
  startLine,
  statusOf,
  tagOf,
  uriOf,
  withDirection,
} from '../../support/sip-message.js'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function pair(opts: { ringForever?: boolean; reject?: number } = {}) {
  const callerPeer = await RtpPeer.create({ payload: { kind: 'tone', freq: 1000 } })
  const calleePeer = await RtpPeer.create({ payload: { kind: 'tone', freq: 500 } })
  const callee = await SipUdpCallee.create({ peer: calleePeer })
  if (opts.ringForever) callee.ringForever()
  if (opts.reject) callee.reject(opts.reject)
  const phone = await SipUdpPhone.create({ host: '127.0.0.1', port: callee.port })
  cleanups.push(() => callerPeer.close(), () => calleePeer.close(), () => callee.close(), () => phone.close())
  return { callerPeer, calleePeer, callee, phone }
}

/** A bare UDP socket playing the far end by hand. */
async function rawEnd() {
  const sock = dgram.createSocket('udp4')
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()))
  const got: Array<{ m: string; port: number }> = []
  sock.on('message', (b, r) => got.push({ m: b.toString(), port: r.port }))
  cleanups.push(() => sock.close())
  const next = async (pred: (m: string) => boolean) => {
    const until = Date.now() + 5000
    for (;;) {
      const hit = got.find((g) => pred(g.m))
      if (hit) return hit
      if (Date.now() > until) throw new Error(`raw end: nothing matching; got ${got.map((g) => startLine(g.m)).join(' | ')}`)
      await new Promise((r) => setTimeout(r, 5))
    }
  }
  return { sock, port: sock.address().port, got, next, send: (m: string, port: number) => sock.send(m, port, '127.0.0.1') }
}

describe('SipUdpPhone ↔ SipUdpCallee over real UDP', () => {
  it('INVITE → 100/180/200 → ACK, RTP both ways, BYE answered', async () => {
    const { callerPeer, calleePeer, callee, phone } = await pair()
    const final = await phone.invite(callerPeer.offer())
    expect(statusOf(final)).toBe(200)
    expect(phone.messages.map(statusOf)).toEqual(expect.arrayContaining([100, 180, 200]))
    phone.ack(final)
    await callee.waitFor((m) => methodOf(m) === 'ACK', 3000, 'ACK')
    expect(callee.call().acked).toBe(true)
    expect(callee.call().state).toBe('answered')
    expect(callee.remoteRtp()).toEqual({ address: '127.0.0.1', port: callerPeer.port })
    expect(callee.lastOfferSdp).toBe(callerPeer.offer())
    expect(callee.uri()).toBe(`sip:callee@127.0.0.1:${callee.port}`)

    callerPeer.target(sdpOf(final)).start()
    calleePeer.start() // auto-targeted at the INVITE's SDP
    await waitForTone(callerPeer, 500)
    await waitForTone(calleePeer, 1000)
    expect(hearsTone(callerPeer, 1000, { lastMs: 200 })).toBe(false)

    const ok = await phone.bye()
    expect(startLine(ok)).toBe('SIP/2.0 200 OK')
    expect(callee.call().state).toBe('ended')
    const bye = await callee.waitFor((m) => methodOf(m) === 'BYE')
    expect(startLine(bye)).toBe(`BYE sip:callee@127.0.0.1:${callee.port} SIP/2.0`) // the callee's Contact
  })

  it('the callee hangs up with a proper in-dialog BYE', async () => {
    const { callerPeer, callee, phone } = await pair()
    const final = await phone.invite(callerPeer.offer())
    phone.ack(final)
    const answered = phone.answerBye(5000)
    const ok = await callee.bye()
    expect(statusOf(ok)).toBe(200)
    const bye = await answered
    expect(startLine(bye)).toBe(`BYE sip:phone@127.0.0.1:${phone.port} SIP/2.0`)
    const invite = callee.call().invite
    expect(tagOf(header(bye, 'From'))).toBe(tagOf(header(final, 'To')))
    expect(tagOf(header(bye, 'To'))).toBe(tagOf(header(invite, 'From')))
    expect(header(bye, 'Call-ID')).toBe(header(invite, 'Call-ID'))
    expect(header(bye, 'CSeq')).toBe('1 BYE')
    expect(header(bye, 'Route')).toBeUndefined()
  })

  it('CANCEL while ringing gives 487, which the phone ACKs', async () => {
    const { callerPeer, callee, phone } = await pair({ ringForever: true })
    const finalP = phone.invite(callerPeer.offer())
    const { final, cancelResponse } = await phone.cancel()
    expect(statusOf(cancelResponse)).toBe(200)
    expect(statusOf(final)).toBe(487)
    expect(statusOf(await finalP)).toBe(487)
    const ack = await callee.waitFor((m) => methodOf(m) === 'ACK', 3000, 'ACK of 487')
    expect(header(ack, 'Via')).toBe(header(callee.call().invite, 'Via')) // same transaction
    expect(callee.call().state).toBe('canceled')
  })

  it('reject(486) gives 486, ACKed', async () => {
    const { callerPeer, callee, phone } = await pair({ reject: 486 })
    const final = await phone.invite(callerPeer.offer())
    expect(startLine(final)).toBe('SIP/2.0 486 Busy Here')
    await callee.waitFor((m) => methodOf(m) === 'ACK', 3000, 'ACK of 486')
    expect(callee.call().state).toBe('rejected')
  })

  it('answerDelayMs with a 183 carrying SDP, then 200', async () => {
    const { callerPeer, callee, phone } = await pair()
    callee.answer({ answerDelayMs: 300, provisional: 183 })
    const t0 = Date.now()
    const final = await phone.invite(callerPeer.offer())
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250)
    const early = phone.messages.find((m) => statusOf(m) === 183)
    expect(sdpOf(early ?? '')).toMatch(/^m=audio \d+/m)
    expect(statusOf(final)).toBe(200)
    phone.ack(final)
  })

  it('the callee answers a re-INVITE with its own SDP in the mirrored direction', async () => {
    const far = await rawEnd()
    const callerPeer = await RtpPeer.create()
    const callee = await SipUdpCallee.create({ sdp: callerPeer.offer() })
    cleanups.push(() => callerPeer.close(), () => callee.close())
    const head = (method: string, cseq: number, toTag = '') => [
      `Via: SIP/2.0/UDP 127.0.0.1:${far.port};branch=z9hG4bK${method}${cseq};rport`,
      `From: <sip:far@127.0.0.1:${far.port}>;tag=fartag`,
      `To: <${callee.uri()}>${toTag ? `;tag=${toTag}` : ''}`,
      'Call-ID: reinvite-test',
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:far@127.0.0.1:${far.port}>`,
    ]
    far.send(buildMessage(`INVITE ${callee.uri()} SIP/2.0`, head('INVITE', 1), callerPeer.offer()), callee.port)
    const ok = (await far.next((m) => statusOf(m) === 200)).m
    const toTag = tagOf(header(ok, 'To'))
    far.send(buildMessage(`ACK ${callee.uri()} SIP/2.0`, head('ACK', 1, toTag)), callee.port)
    for (const [cseq, dir, want] of [[2, 'sendonly', 'recvonly'], [3, 'inactive', 'inactive'], [4, 'sendrecv', 'sendrecv']] as const) {
      far.send(buildMessage(`INVITE ${callee.uri()} SIP/2.0`, head('INVITE', cseq, toTag), withDirection(callerPeer.offer(), dir)), callee.port)
      const res = (await far.next((m) => statusOf(m) === 200 && header(m, 'CSeq') === `${cseq} INVITE`)).m
      expect(sdpDirection(sdpOf(res))).toBe(want)
      expect(sdpOf(res)).toMatch(new RegExp(`^o=\\S+ \\S+ ${cseq} `, 'm')) // version bumped
      far.send(buildMessage(`ACK ${callee.uri()} SIP/2.0`, head('ACK', cseq, toTag)), callee.port)
    }
    far.send(buildMessage(`INFO ${callee.uri()} SIP/2.0`, head('INFO', 5, toTag), 'Signal=1', 'application/dtmf-relay'), callee.port)
    await far.next((m) => statusOf(m) === 200 && header(m, 'CSeq') === '5 INFO')
    expect(callee.messages.filter((m) => methodOf(m) === 'INVITE')).toHaveLength(4)
  })

  it('the phone answers the far end\'s re-INVITE (hold) with mirrored SDP and 200 to INFO', async () => {
    const far = await rawEnd()
    const peer = await RtpPeer.create()
    const phone = await SipUdpPhone.create({ host: '127.0.0.1', port: far.port }, { autoAnswerBye: true })
    cleanups.push(() => peer.close(), () => phone.close())
    const finalP = phone.invite(peer.offer())
    const invite = (await far.next((m) => methodOf(m) === 'INVITE')).m
    far.send(buildResponse(invite, 200, { toTag: 'fartag', contact: `sip:far@127.0.0.1:${far.port}`, body: peer.offer() }), phone.port)
    const final = await finalP
    phone.ack(final)
    const ack = (await far.next((m) => methodOf(m) === 'ACK')).m
    expect(startLine(ack)).toBe(`ACK sip:far@127.0.0.1:${far.port} SIP/2.0`)
    const inDialog = (method: string, cseq: number, body = '') =>
      buildMessage(`${method} ${uriOf(header(invite, 'Contact'))} SIP/2.0`, [
        `Via: SIP/2.0/UDP 127.0.0.1:${far.port};branch=z9hG4bKfar${cseq}`,
        `From: ${header(invite, 'To')};tag=fartag`,
        `To: ${header(invite, 'From')}`,
        `Call-ID: ${header(invite, 'Call-ID')}`,
        `CSeq: ${cseq} ${method}`,
        `Contact: <sip:far@127.0.0.1:${far.port}>`,
      ], body)
    far.send(inDialog('INVITE', 10, withDirection(peer.offer(), 'sendonly')), phone.port)
    const res = (await far.next((m) => header(m, 'CSeq') === '10 INVITE')).m
    expect(statusOf(res)).toBe(200)
    expect(sdpDirection(sdpOf(res))).toBe('recvonly')
    expect(phone.reinvites).toHaveLength(1)
    far.send(inDialog('BYE', 11), phone.port)
    expect(statusOf((await far.next((m) => header(m, 'CSeq') === '11 BYE')).m)).toBe(200)
  })
})

describe('sip-message and audio-check helpers', () => {
  it('mirror SDP directions as an answerer does', () => {
    expect(answerDirection('a=sendonly\r\n')).toBe('recvonly')
    expect(answerDirection('a=recvonly\r\n')).toBe('sendonly')
    expect(answerDirection('a=inactive\r\n')).toBe('inactive')
    expect(answerDirection('v=0\r\n')).toBe('sendrecv')
    expect(answerDirection('c=IN IP4 0.0.0.0\r\n')).toBe('recvonly')
    expect(header('INVITE x SIP/2.0\r\ni: abc\r\nf: <sip:a@b>;tag=1\r\n\r\n', 'Call-ID')).toBe('abc')
  })

  it('isSilent is true for µ-law silence and for nothing at all, false for a tone', async () => {
    const a = await RtpPeer.create({ payload: { kind: 'marker', octet: 0xff } })
    const b = await RtpPeer.create({ payload: { kind: 'tone', freq: 700 } })
    cleanups.push(() => a.close(), () => b.close())
    const t0 = nowMs()
    expect(isSilent(b)).toBe(true)
    a.target(b.offer()).start()
    b.target(a.offer()).start()
    await b.waitFor(() => b.audio().length > 10)
    await a.waitFor(() => a.audio().length > 10)
    expect(isSilent(b, { since: t0 })).toBe(true)
    expect(isSilent(a, { lastMs: 200 })).toBe(false)
    expect(hearsTone(a, 700, { since: t0 })).toBe(true)
    expect(hearsTone(a, 1000, { since: t0 })).toBe(false)
  })
})
