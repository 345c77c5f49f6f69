import Srf from 'drachtio-srf'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { getHeader, type SipRequest } from '../../../src/engine/message/index.js'
import { createSipEngine, type SipEngine } from '../../../src/engine/index.js'
import { PortPicker } from '../../support/ports.js'
import { ackFor, answer, cancel, inDialog, invite, newCall, SDP } from './peer-messages.js'
import { RawWireClient } from './raw-wire-client.js'
import { UdpSipPeer } from './udp-sip-peer.js'

/**
 * CDRs (drachtio-protocol.md §A.3.3) as a real drachtio-srf app receives them through
 * `srf.on('cdr:attempt' | 'cdr:start' | 'cdr:stop')`, for calls a raw UDP SIP peer makes
 * or takes.
 */
const SECRET = 'cymru'
const sipPorts = new PortPicker({ min: 18000, max: 18999 })
const wirePorts = new PortPicker({ min: 19000, max: 19999 })
const TIME = /^\d{2}:\d{2}:\d{2}\.\d{6}$/

interface Cdr {
  type: 'attempt' | 'start' | 'stop'
  source: string
  time: string
  /** role for start, reason for stop */
  detail?: string
  msg: Srf.SipMessage
}

let engine: SipEngine
let sipPort: number
let drachtioPort: number
let peer: UdpSipPeer
const apps: Srf[] = []

beforeEach(async () => {
  sipPort = await sipPorts.pick()
  drachtioPort = await wirePorts.pick()
  engine = createSipEngine({ sipHost: '127.0.0.1', sipPort, drachtioPort, drachtioSecret: SECRET, timers: { T1: 200 } })
  await engine.start()
  peer = await UdpSipPeer.bind(await sipPorts.pick())
})

afterEach(async () => {
  for (const srf of apps.splice(0)) srf.disconnect()
  await peer.close()
  await engine.stop()
})

/** An srf app that records the CDRs it receives; `setup` adds its request handlers. */
async function cdrApp(setup?: (srf: Srf) => void): Promise<{ srf: Srf; cdrs: Cdr[] }> {
  const srf = new Srf()
  const cdrs: Cdr[] = []
  srf.on('error', () => undefined)
  srf.on('cdr:attempt', (source, time, msg) => cdrs.push({ type: 'attempt', source, time, msg }))
  srf.on('cdr:start', (source, time, role, msg) => cdrs.push({ type: 'start', source, time, detail: role, msg }))
  srf.on('cdr:stop', (source, time, reason, msg) => cdrs.push({ type: 'stop', source, time, detail: reason, msg }))
  setup?.(srf)
  apps.push(srf)
  await new Promise<void>((resolve, reject) => {
    srf.on('connect', (err: Error | null) => (err ? reject(err) : resolve()))
    void srf.connect({ host: '127.0.0.1', port: drachtioPort, secret: SECRET })
  })
  return { srf, cdrs }
}

async function until(what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** type, source, detail and the SIP start line of each CDR, in order. */
function summary(cdrs: Cdr[]): string[] {
  return cdrs.map((c) => {
    const m = c.msg as unknown as { method?: string; status?: number }
    const what = m.method ?? `${m.status}`
    return [c.type, c.source, c.detail, what].filter((x) => x !== undefined).join(' ')
  })
}

describe('CDRs to apps that routed cdr:*', () => {
  it('writes uuid|cdr:attempt|<source>|<time>, cdr:start|…|<role>, cdr:stop|…|<reason> on the wire, each + CRLF + the SIP message', async () => {
    const raw = await RawWireClient.connect(drachtioPort)
    try {
      expect((await raw.authenticate(SECRET)).tokens[3]).toBe('OK')
      for (const v of ['invite', 'cdr:attempt', 'cdr:start', 'cdr:stop']) await raw.route(v)
      const call = newCall(peer.port, sipPort)
      const inviteBytes = Buffer.from(invite(call))
      peer.send(inviteBytes, sipPort)
      const note = await raw.sip('INVITE ')
      const attempt = await raw.next((m) => m.tokens[1] === 'cdr:attempt', 'cdr:attempt')
      expect(attempt.tokens).toHaveLength(4)
      expect(attempt.tokens[2]).toBe('network')
      expect(attempt.tokens[3]).toMatch(TIME)
      expect(attempt.sip.equals(inviteBytes)).toBe(true)
      const echo = await raw.reply(raw.send(`sip|${note.tokens[8]}|`, `SIP/2.0 200 OK\r\nContent-Type: application/sdp\r\n\r\n${SDP}`))
      const start = await raw.next((m) => m.tokens[1] === 'cdr:start', 'cdr:start')
      expect(start.tokens.slice(2)).toEqual(['application', start.tokens[3], 'uas'])
      expect(start.sip.equals(echo.sip)).toBe(true)
      const ok = await peer.response(200, 'INVITE')
      peer.send(ackFor(call, ok.msg), sipPort)
      const byeBytes = Buffer.from(inDialog(call, 'BYE', getHeader(ok.msg, 'to')!, 2))
      peer.send(byeBytes, sipPort)
      const bye = await raw.sip('BYE ')
      const stop = await raw.next((m) => m.tokens[1] === 'cdr:stop', 'cdr:stop')
      expect(stop.tokens.slice(2)).toEqual(['network', stop.tokens[3], 'normal-release'])
      expect(stop.tokens[3]).toMatch(TIME)
      expect(stop.sip.equals(byeBytes)).toBe(true)
      raw.send(`sip|${bye.tokens[8]}|`, 'SIP/2.0 200 OK\r\n\r\n')
      await peer.response(200, 'BYE')
    } finally {
      raw.close()
    }
  })

  it('an incoming call answered by the app and hung up by the caller: attempt (network), start (application, uas), stop (network, normal-release)', async () => {
    const { cdrs } = await cdrApp((srf) =>
      srf.invite((req, res) => {
        void srf.createUAS(req, res, { localSdp: SDP }).catch(() => undefined)
      }),
    )
    const call = newCall(peer.port, sipPort)
    peer.send(invite(call), sipPort)
    const ok = await peer.response(200, 'INVITE')
    peer.send(ackFor(call, ok.msg), sipPort)
    peer.send(inDialog(call, 'BYE', getHeader(ok.msg, 'to')!, 2), sipPort)
    await peer.response(200, 'BYE')
    await until('three CDRs', () => cdrs.length >= 3)
    expect(summary(cdrs)).toEqual(['attempt network INVITE', 'start application uas 200', 'stop network normal-release BYE'])
    for (const c of cdrs) expect(c.time).toMatch(TIME)
    expect(cdrs.every((c) => c.msg.get('call-id') === call.callId)).toBe(true)
    // the start record carries the 200 exactly as sent, with the engine's To tag
    expect(cdrs[1].msg.get('to')).toBe(getHeader(ok.msg, 'to'))
  })

  it('an incoming call the app rejects: attempt, then stop (application, call-rejected) with the final response', async () => {
    const { cdrs } = await cdrApp((srf) => srf.invite((_req, res) => res.send(486)))
    const call = newCall(peer.port, sipPort)
    peer.send(invite(call), sipPort)
    const busy = await peer.response(486, 'INVITE')
    peer.send(ackFor(call, busy.msg), sipPort)
    await until('two CDRs', () => cdrs.length >= 2)
    expect(summary(cdrs)).toEqual(['attempt network INVITE', 'stop application call-rejected 486'])
  })

  it('an incoming call the caller cancels: stop (network, call-canceled) with the CANCEL', async () => {
    const { cdrs } = await cdrApp((srf) => srf.invite(() => undefined))
    const call = newCall(peer.port, sipPort)
    peer.send(invite(call), sipPort)
    await until('the attempt', () => cdrs.length >= 1)
    peer.send(cancel(call), sipPort)
    const terminated = await peer.response(487, 'INVITE')
    peer.send(ackFor(call, terminated.msg), sipPort)
    await until('two CDRs', () => cdrs.length >= 2)
    expect(summary(cdrs)).toEqual(['attempt network INVITE', 'stop network call-canceled CANCEL'])
  })

  it('an INVITE nobody routed, seen by a CDR-only app: attempt, then stop (application, call-rejected) with the 503', async () => {
    const { cdrs } = await cdrApp()
    const call = newCall(peer.port, sipPort)
    peer.send(invite(call), sipPort)
    const unavailable = await peer.response(503, 'INVITE')
    peer.send(ackFor(call, unavailable.msg), sipPort)
    await until('two CDRs', () => cdrs.length >= 2)
    expect(summary(cdrs)).toEqual(['attempt network INVITE', 'stop application call-rejected 503'])
  })

  it('an outgoing call answered by the peer and hung up by the app: attempt (application), start (network, uac), stop (application, normal-release)', async () => {
    const { srf, cdrs } = await cdrApp()
    const uac = srf.createUAC(`sip:callee@127.0.0.1:${peer.port}`, { localSdp: SDP })
    const inv = (await peer.request('INVITE')).msg as SipRequest
    peer.send(answer(inv, 200, 'OK', { toTag: 'callee', contact: `<sip:callee@127.0.0.1:${peer.port}>`, body: SDP }), sipPort)
    const dialog = await uac
    await peer.request('ACK')
    const bye = dialog.destroy()
    const byeReq = await peer.request('BYE')
    peer.send(answer(byeReq.msg, 200, 'OK'), sipPort)
    await bye
    await until('three CDRs', () => cdrs.length >= 3)
    expect(summary(cdrs)).toEqual(['attempt application INVITE', 'start network uac 200', 'stop application normal-release BYE'])
    // the attempt carries the INVITE as sent: our Via, the From tag, the replaced @localhost
    expect(cdrs[0].msg.get('via')).toBe(getHeader(inv, 'via'))
    expect(cdrs[0].msg.get('from')).toBe(getHeader(inv, 'from'))
    expect(cdrs[2].msg.get('cseq')).toBe(getHeader(byeReq.msg, 'cseq'))
  })

  it('an outgoing call the peer rejects: stop (network, call-rejected) with the response', async () => {
    const { srf, cdrs } = await cdrApp()
    const uac = srf.createUAC(`sip:callee@127.0.0.1:${peer.port}`, { localSdp: SDP })
    const inv = (await peer.request('INVITE')).msg as SipRequest
    peer.send(answer(inv, 486, 'Busy Here', { toTag: 'callee' }), sipPort)
    await expect(uac).rejects.toMatchObject({ status: 486 })
    await until('two CDRs', () => cdrs.length >= 2)
    expect(summary(cdrs)).toEqual(['attempt application INVITE', 'stop network call-rejected 486'])
  })

  it('an app that routed no cdr verb gets none, and CDRs are shared round-robin between apps that did', async () => {
    const plain = await RawWireClient.connect(drachtioPort)
    try {
      expect((await plain.authenticate(SECRET)).tokens[3]).toBe('OK')
      await plain.route('invite')
      const a = await cdrApp()
      const b = await cdrApp()
      for (let i = 0; i < 2; i++) {
        const call = newCall(peer.port, sipPort)
        peer.send(invite(call), sipPort)
        const note = await plain.sip('INVITE ')
        plain.send(`sip|${note.tokens[8]}|`, 'SIP/2.0 480 Temporarily Unavailable\r\n\r\n')
        const res = await peer.response(480, 'INVITE')
        peer.send(ackFor(call, res.msg), sipPort)
      }
      await until('four CDRs', () => a.cdrs.length + b.cdrs.length >= 4)
      expect(summary(a.cdrs)).toEqual(['attempt network INVITE', 'stop application call-rejected 480'])
      expect(summary(b.cdrs)).toEqual(['attempt network INVITE', 'stop application call-rejected 480'])
      expect(plain.pending().filter((m) => m.tokens[1].startsWith('cdr:'))).toEqual([])
    } finally {
      plain.close()
    }
  })
})
