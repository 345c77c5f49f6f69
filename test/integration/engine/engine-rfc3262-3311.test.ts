import Srf from 'drachtio-srf'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { getHeader, getHeaders } from '../../../src/engine/message/index.js'
import { createSipEngine, type SipEngine } from '../../../src/engine/index.js'
import { PortPicker } from '../../support/ports.js'
import { ackFor, inDialog, invite, newCall, options, SDP, type PeerCall } from './peer-messages.js'
import { UdpSipPeer, type Datagram } from './udp-sip-peer.js'

/**
 * Reliable provisional responses (RFC 3262), UPDATE (RFC 3311), INFO and MESSAGE, and 420
 * (RFC 3261 §8.2.2.3), seen from a raw UDP SIP peer on one side and a drachtio-srf app on
 * the other. T1 is 50 ms here, so 64·T1 is 3.2 s.
 */
const SECRET = 'cymru'
const T1 = 50
const sipPorts = new PortPicker({ min: 18000, max: 18999 })
const wirePorts = new PortPicker({ min: 19000, max: 19999 })

let engine: SipEngine
let sipPort: number
let drachtioPort: number
let peer: UdpSipPeer
const apps: Srf[] = []

beforeEach(async () => {
  sipPort = await sipPorts.pick()
  drachtioPort = await wirePorts.pick()
  engine = createSipEngine({ sipHost: '127.0.0.1', sipPort, drachtioPort, drachtioSecret: SECRET, timers: { T1 } })
  await engine.start()
  peer = await UdpSipPeer.bind(await sipPorts.pick())
})

afterEach(async () => {
  for (const srf of apps.splice(0)) srf.disconnect()
  await peer.close()
  await engine.stop()
})

async function app(setup: (srf: Srf) => void): Promise<Srf> {
  const srf = new Srf()
  srf.on('error', () => undefined)
  setup(srf)
  apps.push(srf)
  await new Promise<void>((resolve, reject) => {
    srf.on('connect', (err: Error | null) => (err ? reject(err) : resolve()))
    void srf.connect({ host: '127.0.0.1', port: drachtioPort, secret: SECRET })
  })
  return srf
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

/** res.send with srf's 5th argument (called with the PRACK), which its .d.ts does not declare. */
function sendReliable(res: Srf.SrfResponse, status: number, body: string, onPrack?: (prack: Srf.SrfRequest) => void, cb?: (err: unknown) => void): void {
  const send = res.send.bind(res) as unknown as (...args: unknown[]) => void
  send(status, 'Session Progress', { headers: { Require: '100rel' }, body }, cb ?? (() => undefined), onPrack)
}

function prack(c: PeerCall, res183: Datagram, cseq = 2, rseq = getHeader(res183.msg, 'rseq')): string {
  return inDialog(c, 'PRACK', getHeader(res183.msg, 'to')!, cseq, [`RAck: ${rseq} 1 INVITE`])
}

interface RequestOpts { method: string; headers?: Record<string, string>; body?: string }
/** Dialog#request and Srf#request as srf 5 implements them (its .d.ts differs). */
function dialogRequest(d: Srf.Dialog, opts: RequestOpts): Promise<Srf.SrfResponse> {
  return (d.request as unknown as (o: RequestOpts) => Promise<Srf.SrfResponse>).call(d, opts)
}
function srfRequest(srf: Srf, uri: string, opts: RequestOpts, cb: (err: unknown, req: Srf.SrfRequest) => void): void {
  void (srf.request as unknown as (u: string, o: RequestOpts, c: typeof cb) => Promise<unknown>).call(srf, uri, opts, cb)
}
type Handler = (req: Srf.SrfRequest, res: Srf.SrfResponse) => void

async function until(what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('RFC 3261 §8.2.2.3: Require with an extension the engine does not support', () => {
  it('answers 420 Bad Extension listing the unknown option tags in Unsupported; the app never sees the request', async () => {
    let seen = 0
    await app((srf) => srf.invite(() => seen++))
    const c = newCall(peer.port, sipPort)
    peer.send(invite(c, { headers: ['Require: 100rel, foo', 'Require: Bar'] }), sipPort)
    const res = await peer.response(420, 'INVITE')
    expect(res.msg.kind === 'response' && res.msg.reason).toBe('Bad Extension')
    expect(getHeaders(res.msg, 'unsupported').join(', ')).toBe('foo, bar')
    peer.send(options(newCall(peer.port, sipPort)).replace('CSeq: 1 OPTIONS', 'CSeq: 1 OPTIONS\r\nRequire: sec-agree'), sipPort)
    expect(getHeader((await peer.response(420, 'OPTIONS')).msg, 'unsupported')).toBe('sec-agree')
    expect(seen).toBe(0)
  })

  it('passes a request that requires only 100rel, timer or replaces to the app', async () => {
    const got = deferred<void>()
    await app((srf) => srf.invite((_req, res) => {
      got.resolve()
      res.send(486)
    }))
    const c = newCall(peer.port, sipPort)
    peer.send(invite(c, { headers: ['Require: 100rel, timer', 'Supported: replaces'] }), sipPort)
    await got.promise
    peer.send(ackFor(c, (await peer.response(486, 'INVITE')).msg), sipPort)
  })
})

describe('RFC 3262: reliable provisional responses as a UAS', () => {
  it('retransmits an un-PRACKed reliable 183 with T1 doubling, then answers the INVITE 503 after 64·T1', async () => {
    const sent = deferred<void>()
    await app((srf) => srf.invite((_req, res) => sendReliable(res, 183, SDP, undefined, () => sent.resolve())))
    const c = newCall(peer.port, sipPort)
    peer.send(invite(c, { headers: ['Supported: 100rel'] }), sipPort)
    await sent.promise
    const final = await peer.response(503, 'INVITE', 64 * T1 + 2000)
    expect(final.msg.kind === 'response' && final.msg.reason).toBe('Reliable Response Time-Out')
    const times = peer.received.filter((d) => d.msg.kind === 'response' && d.msg.status === 183).map((d) => d.at)
    expect(new Set(peer.received.filter((d) => d.msg.kind === 'response' && d.msg.status === 183).map((d) => getHeader(d.msg, 'rseq'))).size).toBe(1)
    const gaps = times.slice(1).map((t, i) => t - times[i])
    expect(gaps.length).toBeGreaterThanOrEqual(4) // 50, 100, 200, 400, 800, 1600 ms within 3.2 s
    expect(gaps[3]).toBeGreaterThan(gaps[1] * 2.5)
    peer.send(ackFor(c, final.msg), sipPort)
    await until('the early dialog to go', () => engine.counts().dialogs === 0)
  })

  it('answers a PRACK with the wrong RAck 481; the right one reaches the app, stops the retransmissions and releases the 200', async () => {
    const prackSeen = deferred<Srf.SrfRequest>()
    await app((srf) => srf.invite((req, res) => {
      sendReliable(res, 183, SDP, (pr) => prackSeen.resolve(pr))
      // the app answers at once: the 200 waits for the PRACK of the 183 with SDP (RFC 3262 §3)
      setTimeout(() => res.send(200, { body: SDP }), 20)
      void req
    }))
    const c = newCall(peer.port, sipPort)
    peer.send(invite(c, { headers: ['Supported: 100rel'] }), sipPort)
    const r183 = await peer.response(183, 'INVITE')
    expect(getHeader(r183.msg, 'require')).toBe('100rel')
    peer.send(prack(c, r183, 2, String(Number(getHeader(r183.msg, 'rseq')) + 5)), sipPort)
    await peer.response(481, 'PRACK')
    await new Promise((r) => setTimeout(r, 4 * T1))
    expect(peer.count((d) => d.msg.kind === 'response' && d.msg.status === 200), 'no 200 before the PRACK').toBe(0)
    peer.send(prack(c, r183, 3), sipPort)
    await peer.response(200, 'PRACK')
    expect((await prackSeen.promise).get('RAck')).toBe(`${getHeader(r183.msg, 'rseq')} 1 INVITE`)
    const ok = await peer.response(200, 'INVITE')
    const count183 = peer.count((d) => d.msg.kind === 'response' && d.msg.status === 183)
    await new Promise((r) => setTimeout(r, 8 * T1))
    expect(peer.count((d) => d.msg.kind === 'response' && d.msg.status === 183), 'no 183 after its PRACK').toBe(count183)
    peer.send(ackFor(c, ok.msg), sipPort)
    peer.send(inDialog(c, 'BYE', getHeader(ok.msg, 'to')!, 4), sipPort)
    await until('the dialog to end', () => engine.counts().dialogs === 0)
  })

  it('refuses a reliable 1xx to an INVITE without 100rel in Supported or Require, as drachtio-server does', async () => {
    const err = deferred<unknown>()
    await app((srf) => srf.invite((_req, res) => sendReliable(res, 183, SDP, undefined, (e) => {
      err.resolve(e)
      res.send(480)
    })))
    const c = newCall(peer.port, sipPort)
    peer.send(invite(c), sipPort)
    expect(await err.promise).toBe('Remote endpoint does not support 100rel')
    peer.send(ackFor(c, (await peer.response(480, 'INVITE')).msg), sipPort)
    expect(peer.count((d) => d.msg.kind === 'response' && d.msg.status === 183)).toBe(0)
  })
})

describe('RFC 3311 UPDATE and INFO in an early dialog, UPDATE/INFO/MESSAGE in and out of a confirmed one', () => {
  it('passes an UPDATE in the early dialog to the INVITE\'s \'update\' listener and an INFO to the app; both answered by srf', async () => {
    const updated = deferred<string>()
    const info = deferred<string>()
    await app((srf) => {
      srf.use('info', ((req, res) => {
        info.resolve(req.body)
        res.send(200)
      }) as Handler)
      srf.invite((req, res) => {
        // srf emits 'update' on the INVITE for an UPDATE in its early dialog (drachtio-agent.js)
        ;(req as unknown as NodeJS.EventEmitter).on('update', (upd: Srf.SrfRequest, ures: Srf.SrfResponse) => {
          updated.resolve(upd.body)
          ures.send(200, { body: SDP.replace('40000', '40002') })
        })
        sendReliable(res, 183, SDP)
      })
    })
    const c = newCall(peer.port, sipPort)
    peer.send(invite(c, { headers: ['Supported: 100rel'] }), sipPort)
    const r183 = await peer.response(183, 'INVITE')
    peer.send(prack(c, r183), sipPort)
    await peer.response(200, 'PRACK')
    const to = getHeader(r183.msg, 'to')!
    peer.send(inDialog(c, 'UPDATE', to, 3, [`Contact: <sip:caller@127.0.0.1:${peer.port}>`, 'Content-Type: application/sdp'], SDP.replace('40000', '40004')), sipPort)
    const up = await peer.response(200, 'UPDATE')
    expect(up.msg.body.toString()).toMatch(/m=audio 40002 /)
    expect(getHeader(up.msg, 'contact')).toBeDefined()
    expect(await updated.promise).toMatch(/m=audio 40004 /)
    peer.send(inDialog(c, 'INFO', to, 4, ['Content-Type: application/dtmf-relay'], 'Signal=5\r\nDuration=160\r\n'), sipPort)
    await peer.response(200, 'INFO')
    expect(await info.promise).toMatch(/Signal=5/)
    // the caller gives up: CANCEL → 487, the early dialog goes
    peer.send(invite(c, { headers: ['Supported: 100rel'] }).replace(/^INVITE/, 'CANCEL').replace('CSeq: 1 INVITE', 'CSeq: 1 CANCEL').replace(/Content-Type[\s\S]*$/, 'Content-Length: 0\r\n\r\n').replace(/Content-Length: \d+\r\n(?=Content-Length)/, ''), sipPort)
    peer.send(ackFor(c, (await peer.response(487, 'INVITE')).msg), sipPort)
    await until('the early dialog to go', () => engine.counts().dialogs === 0)
  })

  it('UPDATE, INFO both ways in a confirmed dialog, MESSAGE both ways outside one, as srf apps see and send them', async () => {
    const dialog = deferred<Srf.Dialog>()
    const events: string[] = []
    const srf = await app((s) => {
      s.use('message', ((req, res) => {
        events.push(`MESSAGE ${req.body}`)
        res.send(202)
      }) as Handler)
      s.invite((req, res) => {
        s.createUAS(req, res, { localSdp: SDP }).then((d) => {
          d.on('update', (upd: Srf.SrfRequest, ures: Srf.SrfResponse) => {
            events.push('update')
            ures.send(200, { body: SDP })
          })
          d.on('info', (inf: Srf.SrfRequest, ires: Srf.SrfResponse) => {
            events.push(`info ${inf.body}`)
            ires.send(200)
          })
          dialog.resolve(d)
        }, () => undefined)
      })
    })
    const c = newCall(peer.port, sipPort)
    peer.send(invite(c), sipPort)
    const ok = await peer.response(200, 'INVITE')
    peer.send(ackFor(c, ok.msg), sipPort)
    const d = await dialog.promise
    const to = getHeader(ok.msg, 'to')!
    peer.send(inDialog(c, 'UPDATE', to, 2, ['Content-Type: application/sdp'], SDP), sipPort)
    await peer.response(200, 'UPDATE')
    peer.send(inDialog(c, 'INFO', to, 3, ['Content-Type: text/plain'], 'hello'), sipPort)
    await peer.response(200, 'INFO')

    // the app sends UPDATE and INFO in the dialog; the peer answers them
    const answerNext = async (method: string): Promise<void> => {
      const req = await peer.request(method)
      const m = req.msg
      peer.send([`SIP/2.0 200 OK`, ...m.headers.filter((h) => ['via', 'from', 'to', 'call-id', 'cseq'].includes(h.name)).map((h) => `${h.name}: ${h.value}`), 'Content-Length: 0', '', ''].join('\r\n'), sipPort)
    }
    const upd = dialogRequest(d, { method: 'UPDATE', headers: { 'Content-Type': 'application/sdp' }, body: SDP })
    await answerNext('UPDATE')
    expect((await upd).status).toBe(200)
    const inf = dialogRequest(d, { method: 'INFO', headers: { 'Content-Type': 'text/plain' }, body: 'from app' })
    await answerNext('INFO')
    expect((await inf).status).toBe(200)

    // MESSAGE outside any dialog, both ways
    peer.send(options(newCall(peer.port, sipPort)).replace(/OPTIONS/g, 'MESSAGE').replace('Content-Length: 0', 'Content-Type: text/plain\r\nContent-Length: 2').replace(/\r\n\r\n$/, '\r\n\r\nhi'), sipPort)
    await peer.response(202, 'MESSAGE')
    const sent = new Promise<Srf.SrfResponse>((resolve, reject) => {
      srfRequest(srf, `sip:peer@127.0.0.1:${peer.port}`, { method: 'MESSAGE', headers: { 'Content-Type': 'text/plain' }, body: 'to peer' }, (err, req) => {
        if (err) return reject(err)
        ;(req as unknown as NodeJS.EventEmitter).on('response', (res: Srf.SrfResponse) => resolve(res))
      })
    })
    const msg = await peer.request('MESSAGE')
    expect(msg.msg.body.toString()).toBe('to peer')
    peer.send([`SIP/2.0 200 OK`, ...msg.msg.headers.filter((h) => ['via', 'from', 'to', 'call-id', 'cseq'].includes(h.name)).map((h) => `${h.name}: ${h.value}`), 'Content-Length: 0', '', ''].join('\r\n'), sipPort)
    expect((await sent).status).toBe(200)
    expect(events).toEqual(['update', 'info hello', 'MESSAGE hi'])

    d.destroy()
    const bye = await peer.request('BYE')
    peer.send([`SIP/2.0 200 OK`, ...bye.msg.headers.filter((h) => ['via', 'from', 'to', 'call-id', 'cseq'].includes(h.name)).map((h) => `${h.name}: ${h.value}`), 'Content-Length: 0', '', ''].join('\r\n'), sipPort)
    await until('the dialog to end', () => engine.counts().dialogs === 0)
  })
})
