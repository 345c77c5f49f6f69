import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { getHeader, getTag, parseCSeq, type SipRequest } from '../../../src/engine/message/index.js'
import { createSipEngine, ENGINE_VERSION, type SipEngine } from '../../../src/engine/index.js'
import { PortPicker } from '../../support/ports.js'
import { ackFor, answer, cancel, inDialog, invite, newCall, options, SDP, type PeerCall } from './peer-messages.js'
import { RawWireClient, type WireMessage } from './raw-wire-client.js'
import { isResponse, UdpSipPeer, type Datagram } from './udp-sip-peer.js'

/**
 * The engine seen from a raw drachtio wire-protocol client (no srf) and a raw UDP SIP
 * peer: the exact replies and notifications of drachtio-protocol.md §A.2–A.6.
 */
const SECRET = 'cymru'
const sipPorts = new PortPicker({ min: 18000, max: 18999 })
const wirePorts = new PortPicker({ min: 19000, max: 19999 })
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const TIME = /^\d{2}:\d{2}:\d{2}\.\d{6}$/
/** a short T1 so that 2xx retransmissions show within a few hundred ms */
const T1 = 200

let engine: SipEngine
let sipPort: number
let app: RawWireClient
let peer: UdpSipPeer

beforeEach(async () => {
  sipPort = await sipPorts.pick()
  const [drachtioPort, peerPort] = [await wirePorts.pick(), await sipPorts.pick()]
  engine = createSipEngine({ sipHost: '127.0.0.1', sipPort, drachtioPort, drachtioSecret: SECRET, timers: { T1 } })
  await engine.start()
  peer = await UdpSipPeer.bind(peerPort)
  app = await RawWireClient.connect(drachtioPort)
})

afterEach(async () => {
  app.close()
  await peer.close()
  await engine.stop()
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function expectClean(): Promise<void> {
  const deadline = Date.now() + 2000
  let c = engine.counts()
  while (Date.now() < deadline) {
    c = engine.counts()
    if (c.transactions === 0 && c.dialogs === 0 && c.pendingRequests === 0) return
    await sleep(25)
  }
  expect({ transactions: c.transactions, dialogs: c.dialogs, pendingRequests: c.pendingRequests }).toEqual({ transactions: 0, dialogs: 0, pendingRequests: 0 })
}

async function authenticated(...verbs: string[]): Promise<void> {
  expect((await app.authenticate(SECRET)).tokens[3]).toBe('OK')
  for (const v of verbs) expect((await app.route(v)).tokens.slice(3)).toEqual(['OK'])
}

/** The peer sends an INVITE; returns the app's `sip` notification and the call. */
async function incomingInvite(): Promise<{ call: PeerCall; note: WireMessage; raw: Buffer }> {
  const call = newCall(peer.port, sipPort)
  const raw = Buffer.from(invite(call))
  peer.send(raw, sipPort)
  const note = await app.sip('INVITE ')
  return { call, note, raw }
}

/** A response as srf writes it: status line, the headers the app set, the body; no Content-Length. */
function srfResponse(status: string, headers: string[] = [], body = ''): string {
  return [`SIP/2.0 ${status}`, ...headers, '', body].join('\r\n')
}

const dialogIdOf = (call: PeerCall) => `${call.callId};from-tag=${call.fromTag}`

describe('drachtio wire protocol: connection messages', () => {
  it('authenticate with the right secret answers OK|<hostports>|v0.9.4|<hostports>', async () => {
    const reply = await app.authenticate(SECRET)
    const hostports = `tcp/127.0.0.1:${sipPort},udp/127.0.0.1:${sipPort}`
    expect(reply.tokens[0]).toMatch(UUID)
    expect(reply.tokens.slice(1)).toEqual(['response', reply.tokens[2], 'OK', hostports, 'v0.9.4', hostports])
    expect(ENGINE_VERSION).toBe('v0.9.4')
    expect(reply.sip.length).toBe(0)
    expect(engine.counts().appConnections).toBe(1)
  })

  it('a wrong secret gets NO|incorrect secret and the connection is closed', async () => {
    const msgId = app.send('authenticate|wrong|')
    const reply = await app.reply(msgId)
    expect(reply.tokens.slice(1)).toEqual(['response', msgId, 'NO', 'incorrect secret'])
    await app.closed
    expect(engine.counts().appConnections).toBe(0)
  })

  it('route answers OK and ping answers OK|pong', async () => {
    await authenticated()
    const r = app.send('route|invite')
    expect((await app.reply(r)).tokens.slice(2)).toEqual([r, 'OK'])
    const p = app.send('ping')
    expect((await app.reply(p)).tokens.slice(2)).toEqual([p, 'OK', 'pong'])
  })

  it('messages split across TCP writes and several in one write are all answered', async () => {
    await authenticated()
    const frames = ['a|ping', 'b|route|options', 'c|ping'].map((s) => Buffer.from(`${s.length}#${s}`))
    const all = Buffer.concat(frames)
    // write through the client's socket in odd pieces
    const socket = (app as unknown as { socket: import('node:net').Socket }).socket
    socket.write(all.subarray(0, 1))
    await sleep(20)
    socket.write(all.subarray(1, 9))
    await sleep(20)
    socket.write(all.subarray(9))
    expect((await app.reply('a')).tokens.slice(3)).toEqual(['OK', 'pong'])
    expect((await app.reply('b')).tokens.slice(3)).toEqual(['OK'])
    expect((await app.reply('c')).tokens.slice(3)).toEqual(['OK', 'pong'])
  })
})

describe('drachtio wire protocol: an incoming INVITE', () => {
  it('reaches the app as sip|network|…|<txnId>||<recvAddr>|<recvPort>| + the raw INVITE, after a 100 Trying to the caller', async () => {
    await authenticated('invite')
    const { note, raw } = await incomingInvite()
    const t = note.tokens
    expect(t).toHaveLength(13)
    expect(t.slice(1, 7)).toEqual(['sip', 'network', String(raw.length), 'udp', '127.0.0.1', String(peer.port)])
    expect(t[7]).toMatch(TIME)
    expect(t[8]).toMatch(UUID)
    expect(t.slice(9)).toEqual(['', '127.0.0.1', String(sipPort), ''])
    expect(note.sip.equals(raw)).toBe(true)
    const trying = await peer.response(100, 'INVITE')
    expect(getTag(getHeader(trying.msg, 'to') ?? '')).toBeUndefined()
    app.send(`sip|${t[8]}|`, srfResponse('486 Busy Here'))
    const busy = await peer.response(486, 'INVITE')
    peer.send(ackFor(newCallFrom(note), busy.msg), sipPort)
    await expectClean()
  })

  it('the app 200 is echoed byte for byte (To-tag and Contact added), retransmitted until the ACK, and the ACK reaches the app with the INVITE txnId and the dialogId', async () => {
    await authenticated('invite')
    const { call, note } = await incomingInvite()
    const txnId = note.tokens[8]
    const msgId = app.send(`sip|${txnId}|`, srfResponse('200 OK', ['Content-Type: application/sdp'], SDP))
    const echo = await app.reply(msgId)
    const ok = await peer.response(200, 'INVITE')

    const t = echo.tokens
    expect(t).toHaveLength(15)
    expect(t.slice(3, 9)).toEqual(['OK', 'application', String(ok.buf.length), 'udp', '127.0.0.1', String(peer.port)])
    expect(t[9]).toMatch(TIME)
    expect(t.slice(10)).toEqual([txnId, dialogIdOf(call), '', 'Msg sent:', ''])
    expect(echo.sip.equals(ok.buf)).toBe(true)
    const toTag = getTag(getHeader(ok.msg, 'to') ?? '')
    expect(toTag).toMatch(/^\w{6,}$/)
    expect(getHeader(ok.msg, 'contact')).toBe(`<sip:127.0.0.1:${sipPort}>`)
    expect(getHeader(ok.msg, 'content-type')).toBe('application/sdp')
    expect(ok.msg.body.toString()).toBe(SDP)
    expect(getHeader(ok.msg, 'via')).toContain(`;rport=${peer.port}`)

    // §A.6: the engine itself retransmits the 2xx over UDP (Timer G) until the ACK
    const same200 = (d: Datagram) => isResponse(d, 200, 'INVITE')
    await peer.next((d) => same200(d) && d !== ok, 'a retransmitted 200')
    await peer.next((d) => same200(d) && d !== ok, 'a second retransmitted 200')
    expect(peer.received.filter(same200).every((d) => d.buf.equals(ok.buf))).toBe(true)

    const ack = Buffer.from(ackFor(call, ok.msg))
    peer.send(ack, sipPort)
    const ackNote = await app.sip('ACK ')
    expect(ackNote.tokens.slice(1, 7)).toEqual(['sip', 'network', String(ack.length), 'udp', '127.0.0.1', String(peer.port)])
    expect(ackNote.tokens.slice(8)).toEqual([txnId, dialogIdOf(call), ''])
    expect(ackNote.sip.equals(ack)).toBe(true)
    const after = peer.count(same200)
    await sleep(8 * T1)
    expect(peer.count(same200)).toBe(after)

    // the caller hangs up: the BYE reaches the app in the dialog, its 200 goes back
    peer.send(inDialog(call, 'BYE', getHeader(ok.msg, 'to')!, 2), sipPort)
    const bye = await app.sip('BYE ')
    expect(bye.tokens.slice(9)).toEqual([dialogIdOf(call), ''])
    expect(bye.tokens[8]).not.toBe(txnId)
    expect((await app.reply(app.send(`sip|${bye.tokens[8]}|`, srfResponse('200 OK')))).tokens[3]).toBe('OK')
    await peer.response(200, 'BYE')
    await expectClean()
  })

  it('a second final response from the app gets NOK and nothing more goes on the wire', async () => {
    await authenticated('invite')
    const { call, note } = await incomingInvite()
    const txnId = note.tokens[8]
    expect((await app.reply(app.send(`sip|${txnId}|`, srfResponse('603 Decline')))).tokens[3]).toBe('OK')
    const second = await app.reply(app.send(`sip|${txnId}|`, srfResponse('200 OK', ['Content-Type: application/sdp'], SDP)))
    expect(second.tokens[3]).toBe('NOK')
    const decline = await peer.response(603, 'INVITE')
    peer.send(ackFor(call, decline.msg), sipPort)
    await sleep(3 * T1)
    expect(peer.count((d) => isResponse(d, 200, 'INVITE'))).toBe(0)
    await expectClean()
  })

  it('without any app that routed invite the caller gets 100 Trying then 503', async () => {
    await authenticated('options')
    const call = newCall(peer.port, sipPort)
    peer.send(invite(call), sipPort)
    await peer.response(100, 'INVITE')
    const unavailable = await peer.response(503, 'INVITE')
    expect(peer.received.findIndex((d) => isResponse(d, 100, 'INVITE'))).toBeLessThan(peer.received.indexOf(unavailable))
    peer.send(ackFor(call, unavailable.msg), sipPort)
    await sleep(50)
    expect(app.pending().filter((m) => m.tokens[1] === 'sip')).toEqual([])
    await expectClean()
  })

  it('OPTIONS is answered 200 by the engine when no app routed options', async () => {
    await authenticated('invite')
    peer.send(options(newCall(peer.port, sipPort)), sipPort)
    const ok = await peer.response(200, 'OPTIONS')
    expect(getTag(getHeader(ok.msg, 'to') ?? '')).toBeDefined()
    await sleep(50)
    expect(app.pending().filter((m) => m.tokens[1] === 'sip')).toEqual([])
    await expectClean()
  })

  it('a CANCEL of a pending INVITE gets 200, the INVITE 487, the app the CANCEL with the INVITE txnId, and a later app response NOK', async () => {
    await authenticated('invite')
    const { call, note } = await incomingInvite()
    const txnId = note.tokens[8]
    const cancelBytes = Buffer.from(cancel(call))
    peer.send(cancelBytes, sipPort)
    const cancelOk = await peer.response(200, 'CANCEL')
    const terminated = await peer.response(487, 'INVITE')
    // RFC 3261 §9.2: the To tags of the 200 to the CANCEL and of the 487 SHOULD be the same
    expect(getTag(getHeader(terminated.msg, 'to') ?? '')).toBeDefined()
    expect(getTag(getHeader(cancelOk.msg, 'to') ?? '')).toBe(getTag(getHeader(terminated.msg, 'to') ?? ''))
    const cancelNote = await app.sip('CANCEL ')
    expect(cancelNote.tokens.slice(1, 7)).toEqual(['sip', 'network', String(cancelBytes.length), 'udp', '127.0.0.1', String(peer.port)])
    expect(cancelNote.tokens[8]).toBe(txnId)
    expect(cancelNote.sip.equals(cancelBytes)).toBe(true)
    const late = await app.reply(app.send(`sip|${txnId}|`, srfResponse('200 OK', ['Content-Type: application/sdp'], SDP)))
    expect(late.tokens[3]).toBe('NOK')
    peer.send(ackFor(call, terminated.msg), sipPort)
    await sleep(3 * T1)
    expect(peer.count((d) => isResponse(d, 200, 'INVITE'))).toBe(0)
    expect(app.pending().filter((m) => m.tokens[1] === 'sip')).toEqual([]) // the ACK for the 487 is absorbed
    await expectClean()
  })

  it('a BYE in an unknown dialog gets 481', async () => {
    await authenticated('invite', 'bye')
    const call = newCall(peer.port, sipPort)
    peer.send(inDialog(call, 'BYE', `<sip:service@127.0.0.1:${sipPort}>;tag=nobody`, 5), sipPort)
    await peer.response(481, 'BYE')
    await sleep(50)
    expect(app.pending().filter((m) => m.tokens[1] === 'sip')).toEqual([])
    await expectClean()
  })

  it('a re-INVITE after the ACK gets 100 Trying, reaches the app in the dialog, and its 2xx ACK comes back with the re-INVITE txnId', async () => {
    await authenticated('invite')
    const { call, note } = await incomingInvite()
    app.send(`sip|${note.tokens[8]}|`, srfResponse('200 OK', ['Content-Type: application/sdp'], SDP))
    const ok = await peer.response(200, 'INVITE')
    peer.send(ackFor(call, ok.msg), sipPort)
    await app.sip('ACK ')
    const toTag = getTag(getHeader(ok.msg, 'to') ?? '')!
    const reinvite = Buffer.from(invite(call, { toTag, cseq: 2, branch: 'z9hG4bKreinvite2' }))
    peer.send(reinvite, sipPort)
    const re = await app.sip('INVITE ')
    expect(re.sip.equals(reinvite)).toBe(true)
    expect(re.tokens).toHaveLength(11)
    expect(re.tokens[9]).toBe(dialogIdOf(call))
    await peer.next((d) => isResponse(d, 100, 'INVITE') && parseCSeq(getHeader(d.msg, 'cseq')!).seq === 2, '100 to the re-INVITE')
    const echo = await app.reply(app.send(`sip|${re.tokens[8]}|`, srfResponse('200 OK', ['Content-Type: application/sdp'], SDP)))
    expect(echo.tokens[11]).toBe(dialogIdOf(call))
    const ok2 = await peer.next((d) => isResponse(d, 200, 'INVITE') && parseCSeq(getHeader(d.msg, 'cseq')!).seq === 2, '200 to the re-INVITE')
    expect(getTag(getHeader(ok2.msg, 'to') ?? '')).toBe(toTag)
    peer.send(ackFor(call, ok2.msg, { cseq: 2 }), sipPort)
    const ack2 = await app.sip('ACK ')
    expect(ack2.tokens.slice(8)).toEqual([re.tokens[8], dialogIdOf(call), ''])
    peer.send(inDialog(call, 'BYE', getHeader(ok.msg, 'to')!, 3), sipPort)
    const bye = await app.sip('BYE ')
    app.send(`sip|${bye.tokens[8]}|`, srfResponse('200 OK'))
    await peer.response(200, 'BYE')
    await expectClean()
  })

  it('a re-INVITE while our 2xx awaits its ACK gets 491, and the ACK of that 491 is not taken for the ACK of the 2xx', async () => {
    await authenticated('invite')
    const { call, note } = await incomingInvite()
    const txnId = note.tokens[8]
    app.send(`sip|${txnId}|`, srfResponse('200 OK', ['Content-Type: application/sdp'], SDP))
    const ok = await peer.response(200, 'INVITE')
    const toTag = getTag(getHeader(ok.msg, 'to') ?? '')!
    const reinviteBranch = 'z9hG4bKreinvite491'
    peer.send(invite(call, { toTag, cseq: 2, branch: reinviteBranch }), sipPort)
    const pending = await peer.next((d) => d.msg.kind === 'response' && d.msg.status === 491, 'a 491')
    expect(parseCSeq(getHeader(pending.msg, 'cseq')!)).toEqual({ seq: 2, method: 'INVITE' })
    // the caller ACKs the 491 (RFC 3261 §17.1.1.3): same branch, CSeq 2
    peer.send(ackFor(call, pending.msg, { cseq: 2, branch: reinviteBranch }), sipPort)
    await sleep(50)
    expect(app.pending().filter((m) => m.tokens[1] === 'sip')).toEqual([])
    // the 200 still waits for its own ACK, so it keeps being retransmitted
    await peer.next((d) => isResponse(d, 200, 'INVITE') && d !== ok, 'the 200 retransmitted after the 491 ACK', 4 * T1 * 4)
    peer.send(ackFor(call, ok.msg), sipPort)
    const ackNote = await app.sip('ACK ')
    expect(ackNote.tokens.slice(8)).toEqual([txnId, dialogIdOf(call), ''])
    peer.send(inDialog(call, 'BYE', getHeader(ok.msg, 'to')!, 3), sipPort)
    const bye = await app.sip('BYE ')
    app.send(`sip|${bye.tokens[8]}|`, srfResponse('200 OK'))
    await peer.response(200, 'BYE')
    await expectClean()
  })
  it('an app BYE sent before the caller ACKed our 2xx is echoed at once but goes on the wire only after the ACK (RFC 3261 §15)', async () => {
    await authenticated('invite')
    const { call, note } = await incomingInvite()
    const txnId = note.tokens[8]
    app.send(`sip|${txnId}|`, srfResponse('200 OK', ['Content-Type: application/sdp'], SDP))
    const ok = await peer.response(200, 'INVITE')
    const byeId = app.send(`sip||${dialogIdOf(call)}`, 'BYE sip:placeholder SIP/2.0\r\n\r\n')
    expect((await app.reply(byeId)).tokens[3]).toBe('OK')
    await sleep(3 * T1)
    expect(peer.count((d) => d.msg.kind === 'request' && d.msg.method === 'BYE')).toBe(0)
    peer.send(ackFor(call, ok.msg), sipPort)
    await app.sip('ACK ')
    const bye = await peer.request('BYE')
    peer.send(answer(bye.msg, 200, 'OK'), sipPort)
    await expectClean()
  })
})

describe('drachtio wire protocol: requests from the app', () => {
  it('an INVITE is echoed with its txnId and the exact bytes sent; responses come back with txnId and dialogId; ACK and BYE go in the dialog', async () => {
    await authenticated()
    const body = SDP
    const msgId = app.send('sip||', [`INVITE sip:x@127.0.0.1:${peer.port} SIP/2.0`, 'From: <sip:a@localhost>', 'Content-Type: application/sdp', '', body].join('\r\n'))
    const echo = await app.reply(msgId)
    const sent = await peer.request('INVITE')
    const req = sent.msg as SipRequest

    const t = echo.tokens
    expect(t).toHaveLength(13)
    expect(t.slice(3, 9)).toEqual(['OK', 'application', String(sent.buf.length), 'udp', '127.0.0.1', String(peer.port)])
    expect(t[9]).toMatch(TIME)
    expect(t[10]).toMatch(UUID)
    expect(t.slice(11)).toEqual(['Msg sent:', ''])
    expect(echo.sip.equals(sent.buf)).toBe(true)

    expect(req.uri).toBe(`sip:x@127.0.0.1:${peer.port}`)
    expect(getHeader(req, 'via')).toMatch(new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${sipPort};branch=z9hG4bK[^;]+;rport$`))
    const from = getHeader(req, 'from')!
    expect(from).toMatch(new RegExp(`^<sip:a@127\\.0\\.0\\.1:${sipPort}>;tag=\\w+$`))
    expect(getHeader(req, 'to')).toBe(`<sip:x@127.0.0.1:${peer.port}>`)
    const callId = getHeader(req, 'call-id')!
    expect(callId.length).toBeGreaterThan(8)
    expect(parseCSeq(getHeader(req, 'cseq')!).method).toBe('INVITE')
    expect(getHeader(req, 'max-forwards')).toBe('70')
    expect(getHeader(req, 'contact')).toBe(`<sip:127.0.0.1:${sipPort}>`)
    expect(getHeader(req, 'content-type')).toBe('application/sdp')
    expect(req.body.toString()).toBe(body)

    const txnId = t[10]
    const dialogId = `${callId};from-tag=${getTag(from)}`
    const ringing = Buffer.from(answer(req, 180, 'Ringing', { toTag: 'callee1' }))
    peer.send(ringing, sipPort)
    const r180 = await app.sip('SIP/2.0 180')
    expect(r180.tokens.slice(1, 7)).toEqual(['sip', 'network', String(ringing.length), 'udp', '127.0.0.1', String(peer.port)])
    expect(r180.tokens.slice(8)).toEqual([txnId, dialogId, ''])
    expect(r180.sip.equals(ringing)).toBe(true)
    const okBytes = Buffer.from(answer(req, 200, 'OK', { toTag: 'callee1', contact: `<sip:x@127.0.0.1:${peer.port}>`, body: SDP }))
    peer.send(okBytes, sipPort)
    const r200 = await app.sip('SIP/2.0 200')
    expect(r200.tokens.slice(8)).toEqual([txnId, dialogId, ''])

    // srf's ack(): an ACK inside the dialog, R-URI placeholder
    expect((await app.reply(app.send(`sip||${dialogId}`, 'ACK sip:placeholder SIP/2.0\r\n\r\n'))).tokens[3]).toBe('OK')
    const ack = (await peer.request('ACK')).msg as SipRequest
    expect(ack.uri).toBe(`sip:x@127.0.0.1:${peer.port}`)
    expect(getHeader(ack, 'cseq')).toBe(`${parseCSeq(getHeader(req, 'cseq')!).seq} ACK`)
    expect(getHeader(ack, 'to')).toContain('tag=callee1')
    // a retransmitted 200 is ACKed again by the engine without asking the app (§A.6)
    peer.send(okBytes, sipPort)
    const again = await peer.request('ACK')
    expect(again.msg).toEqual(ack)

    const byeId = app.send(`sip||${dialogId}`, 'BYE sip:placeholder SIP/2.0\r\n\r\n')
    const byeEcho = await app.reply(byeId)
    expect(byeEcho.tokens[3]).toBe('OK')
    const bye = await peer.request('BYE')
    expect(byeEcho.sip.equals(bye.buf)).toBe(true)
    peer.send(answer(bye.msg, 200, 'OK'), sipPort)
    const byeOk = await app.sip('SIP/2.0 200')
    expect(byeOk.tokens.slice(8)).toEqual([byeEcho.tokens[10], dialogId, ''])
    expect(app.pending().filter((m) => m.tokens[1] === 'sip')).toEqual([])
    await expectClean()
  })

  it('a failed INVITE is ACKed by the engine (same branch); the app ACK for it gets drachtio NOK', async () => {
    await authenticated()
    const echo = await app.reply(app.send('sip||', [`INVITE sip:x@127.0.0.1:${peer.port} SIP/2.0`, 'From: <sip:a@localhost>', 'Content-Type: application/sdp', '', SDP].join('\r\n')))
    const req = (await peer.request('INVITE')).msg as SipRequest
    peer.send(answer(req, 486, 'Busy Here', { toTag: 'busy1' }), sipPort)
    const busy = await app.sip('SIP/2.0 486')
    const dialogId = busy.tokens[9]
    expect(busy.tokens[8]).toBe(echo.tokens[10])
    expect(dialogId).toBe(`${getHeader(req, 'call-id')};from-tag=${getTag(getHeader(req, 'from')!)}`)
    const ack = (await peer.request('ACK')).msg as SipRequest
    expect(getHeader(ack, 'via')).toBe(getHeader(req, 'via'))
    expect(getHeader(ack, 'to')).toContain('tag=busy1')
    // srf sends its ACK anyway (§A.9.7)
    const reply = await app.reply(app.send(`sip||${dialogId}`, 'ACK sip:placeholder SIP/2.0\r\n\r\n'))
    expect(reply.tokens.slice(3)).toEqual(['NOK', 'Server error: ACK for non-success final response is automatically generated by server'])
    await expectClean()
  })

  it('a CANCEL from the app waits for a provisional, is echoed with a fresh txnId, and the 487 reaches the app while the engine ACKs it', async () => {
    await authenticated()
    const echo = await app.reply(app.send('sip||', [`INVITE sip:x@127.0.0.1:${peer.port} SIP/2.0`, 'From: <sip:a@localhost>', 'Content-Type: application/sdp', '', SDP].join('\r\n')))
    const txnId = echo.tokens[10]
    const req = (await peer.request('INVITE')).msg as SipRequest
    const cancelEcho = await app.reply(app.send(`sip|${txnId}|`, `CANCEL sip:x@127.0.0.1:${peer.port} SIP/2.0\r\n\r\n`))
    expect(cancelEcho.tokens[3]).toBe('OK')
    expect(cancelEcho.tokens[10]).toMatch(UUID)
    expect(cancelEcho.tokens[10]).not.toBe(txnId)
    await sleep(3 * T1)
    expect(peer.count((d) => d.msg.kind === 'request' && d.msg.method === 'CANCEL')).toBe(0) // RFC 3261 §9.1
    peer.send(answer(req, 180, 'Ringing', { toTag: 'c1' }), sipPort)
    await app.sip('SIP/2.0 180')
    const cancelReq = await peer.request('CANCEL')
    expect(cancelEcho.sip.equals(cancelReq.buf)).toBe(true)
    expect(getHeader(cancelReq.msg, 'via')).toBe(getHeader(req, 'via'))
    peer.send(answer(cancelReq.msg, 200, 'OK', { toTag: 'c1' }), sipPort)
    peer.send(answer(req, 487, 'Request Terminated', { toTag: 'c1' }), sipPort)
    const terminated = await app.sip('SIP/2.0 487')
    expect(terminated.tokens[8]).toBe(txnId)
    await peer.request('ACK')
    await sleep(50)
    expect(app.pending().filter((m) => m.tokens[1] === 'sip')).toEqual([]) // the 200 to the CANCEL is not passed up
    await expectClean()
  })

  it('gives drachtio NOKs: unknown txnId, unknown dialog, request to ourselves, body without Content-Type', async () => {
    await authenticated()
    const nok = async (leader: string, sip: string) => (await app.reply(app.send(leader, sip))).tokens.slice(3)
    expect(await nok('sip|no-such-txn|', srfResponse('200 OK'))).toEqual(['NOK', 'Response not sent due to unknown transaction'])
    expect(await nok('sip||no-such-call;from-tag=x', 'INFO sip:placeholder SIP/2.0\r\n\r\n')).toEqual([
      'NOK',
      'Server error: unable to find dialog for dialog id provided',
    ])
    // an ACK for a dialog the server does not hold: drachtio-server's text whatever the reason
    expect(await nok('sip||no-such-call;from-tag=x', 'ACK sip:placeholder SIP/2.0\r\n\r\n')).toEqual([
      'NOK',
      'Server error: ACK for non-success final response is automatically generated by server',
    ])
    expect(await nok('sip||', `OPTIONS sip:x@127.0.0.1:${sipPort} SIP/2.0\r\n\r\n`)).toEqual(['NOK', 'can not send request to myself'])
    expect(await nok('sip||', `MESSAGE sip:x@127.0.0.1:${peer.port} SIP/2.0\r\nFrom: <sip:a@localhost>\r\n\r\nhello`)).toEqual(['NOK', 'missing content-type'])
    await sleep(50)
    expect(peer.received).toEqual([])
    await expectClean()
  })
})

/** The caller side of an INVITE notification, rebuilt from the raw INVITE the app got. */
function newCallFrom(note: WireMessage): PeerCall {
  const text = note.sip.toString()
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(text)![1]
  const via = header('Via')
  return {
    peerPort: Number(/127\.0\.0\.1:(\d+)/.exec(via)![1]),
    sipPort,
    callId: header('Call-ID'),
    fromTag: /tag=([^;>\s]+)/.exec(header('From'))![1],
    branch: /branch=([^;\s]+)/.exec(via)![1],
  }
}
