import type dgram from 'node:dgram'
import { performance } from 'node:perf_hooks'
import { RtpPeer } from '../../test/support/rtp-peer.js'
import { SipUdpCallee } from '../../test/support/sip-udp-callee.js'
import { sdpOf, SipUdpPhone } from '../../test/support/sip-udp-phone.js'
import type { BenchApp } from './app-server.js'
import type { ListenSink } from './listen-server.js'

/** PCMU octets every packet of a party carries (RtpPeer `marker` payloads), so each packet says who is heard. */
export const CALLER_OCTET = 0x35
export const CALLEE_OCTET = 0x55

export type Heard = 'caller' | 'callee' | 'silence' | 'other'

/** What a 20 ms packet carries: one party's marker, PCMU silence (0xFF/0x7F ±1), or other audio (a whisper). */
export function classify(msg: Buffer): Heard {
  if (msg.length < 13) return 'other'
  let off = 12 + 4 * (msg[0] & 0x0f)
  if (msg[0] & 0x10) off += 4 + 4 * msg.readUInt16BE(off + 2)
  const p = msg.subarray(off)
  if (p.length === 0) return 'other'
  const first = p[0]
  if (p.every((b) => b === first)) {
    if (first === CALLER_OCTET) return 'caller'
    if (first === CALLEE_OCTET) return 'callee'
  }
  if (p.every((b) => b === 0xff || b === 0x7f || b === 0xfe || b === 0x7e)) return 'silence'
  return 'other'
}

type Watch = (at: number, arg: string | Heard) => boolean

/** Resolves with (arrival − t0) ms of the first event `pred` accepts, or null after `timeoutMs`. */
function watch(list: Set<Watch>, t0: number, pred: (arg: string | Heard) => boolean, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const w: Watch = (at, arg) => {
      if (!pred(arg)) return false
      clearTimeout(timer)
      list.delete(w)
      resolve(at - t0)
      return true
    }
    const timer = setTimeout(() => {
      list.delete(w)
      resolve(null)
    }, timeoutMs)
    list.add(w)
  })
}

const socketOf = (x: RtpPeer | SipUdpPhone | SipUdpCallee): dgram.Socket => (x as unknown as { socket: dgram.Socket }).socket

/**
 * An instrumented bridged call: the bench's own phone (caller, RtpPeer sending
 * CALLER_OCTET) → livecall → dial → the bench's own UAS (callee, RtpPeer sending
 * CALLEE_OCTET). Every RTP packet and SIP message arriving at either end is timestamped
 * in this process (performance.now(), the same clock the HTTP requests are timed with).
 */
export class ObservedBridge {
  parentSid = ''
  childSid = ''
  private readonly atCaller = new Set<Watch>()
  private readonly atCallee = new Set<Watch>()
  private readonly sipAtCallee = new Set<Watch>()

  private constructor(
    readonly phone: SipUdpPhone,
    readonly callerPeer: RtpPeer,
    readonly callee: SipUdpCallee,
    readonly calleePeer: RtpPeer,
  ) {
    const hook = (s: Set<Watch>) => (msg: Buffer) => {
      const at = performance.now()
      const h = classify(msg)
      for (const w of s) w(at, h)
    }
    socketOf(callerPeer).on('message', hook(this.atCaller))
    socketOf(calleePeer).on('message', hook(this.atCallee))
    socketOf(callee).on('message', (msg: Buffer) => {
      const at = performance.now()
      const text = msg.toString('latin1')
      for (const w of this.sipAtCallee) w(at, text)
    })
  }

  static async start(app: BenchApp, sip: { host: string; port: number }): Promise<ObservedBridge> {
    const calleePeer = await RtpPeer.create({ payload: { kind: 'marker', octet: CALLEE_OCTET } })
    const callee = await SipUdpCallee.create({ peer: calleePeer })
    const callerPeer = await RtpPeer.create({ payload: { kind: 'marker', octet: CALLER_OCTET } })
    const phone = await SipUdpPhone.create(sip, { autoAnswerBye: true })
    const o = new ObservedBridge(phone, callerPeer, callee, calleePeer)
    app.next([{ verb: 'dial', target: [{ type: 'sip', sipUri: callee.uri() }] }])
    const final = await phone.invite(callerPeer.offer())
    phone.ack(final)
    if (!final.startsWith('SIP/2.0 200')) throw new Error(`observer call refused: ${final.split('\r\n')[0]}`)
    callerPeer.target(sdpOf(final)).start()
    await callee.waitForCall('answered')
    calleePeer.start()
    await calleePeer.waitFor(() => calleePeer.received.some((p) => p.payload[0] === CALLER_OCTET), 10_000, 'caller audio at the callee')
    await callerPeer.waitFor(() => callerPeer.received.some((p) => p.payload[0] === CALLEE_OCTET), 10_000, 'callee audio at the caller')
    return o
  }

  /** Next packet at the callee that is not the caller's audio (mute) / is the caller's audio (unmute). */
  calleeHears(t0: number, callerHeard: boolean, timeoutMs: number): Promise<number | null> {
    return watch(this.atCallee, t0, (h) => (h === 'caller') === callerHeard, timeoutMs)
  }

  /** Next packet at the caller that is neither silence nor the callee: the whisper. */
  callerHearsWhisper(t0: number, timeoutMs: number): Promise<number | null> {
    return watch(this.atCaller, t0, (h) => h === 'other', timeoutMs)
  }

  /** Next in-dialog INVITE at the callee whose SDP has `a=<direction>`. */
  calleeGetsReinvite(t0: number, direction: 'inactive' | 'sendonly' | 'sendrecv', timeoutMs: number): Promise<number | null> {
    const re = new RegExp(`^a=${direction}\\s*$`, 'm')
    return watch(this.sipAtCallee, t0, (m) => m.startsWith('INVITE ') && re.test(m), timeoutMs)
  }

  async close(): Promise<void> {
    await this.phone.bye(5000).catch(() => undefined)
    this.phone.close()
    this.callee.close()
    await this.callerPeer.close()
    await this.calleePeer.close()
  }
}

/** A call whose app is a top-level `listen` to the bench's sink; the caller sends a tone. */
export class ObservedListen {
  sid = ''
  private constructor(readonly phone: SipUdpPhone, readonly peer: RtpPeer, readonly path: string, private readonly sink: ListenSink) {}

  static async start(app: BenchApp, sink: ListenSink, sip: { host: string; port: number }, index: number): Promise<ObservedListen> {
    const peer = await RtpPeer.create({ payload: { kind: 'tone', freq: 800 } })
    const phone = await SipUdpPhone.create(sip, { autoAnswerBye: true })
    const path = `/listen-${index}`
    app.next([{ verb: 'listen', url: sink.url(path), sampleRate: 8000, mixType: 'mono' }])
    const final = await phone.invite(peer.offer())
    phone.ack(final)
    if (!final.startsWith('SIP/2.0 200')) throw new Error(`listen call refused: ${final.split('\r\n')[0]}`)
    peer.target(sdpOf(final)).start()
    const o = new ObservedListen(phone, peer, path, sink)
    const deadline = Date.now() + 10_000
    while ((sink.streams.get(path)?.frames ?? 0) < 5) {
      if (Date.now() > deadline) throw new Error(`no listen frames on ${path}`)
      await new Promise((r) => setTimeout(r, 20))
    }
    return o
  }

  /** resume: first binary frame after t0. */
  firstFrame(t0: number, timeoutMs: number): Promise<number | null> {
    const s = this.sink.streams.get(this.path)
    if (!s) return Promise.resolve(null)
    return new Promise((resolve) => {
      const timer = setTimeout(() => ((s.onFrame = undefined), resolve(null)), timeoutMs)
      s.onFrame = (at) => {
        if (at < t0) return
        clearTimeout(timer)
        s.onFrame = undefined
        resolve(at - t0)
      }
    })
  }

  /**
   * pause: the last binary frame after t0, once `quietMs` passed without one (0 when none
   * came after t0); null when frames keep coming (the pause did nothing).
   */
  async lastFrame(t0: number, quietMs: number, timeoutMs: number): Promise<number | null> {
    const s = this.sink.streams.get(this.path)
    if (!s) return null
    const until = t0 + timeoutMs
    for (;;) {
      await new Promise((r) => setTimeout(r, 10))
      const now = performance.now()
      if (now - s.lastFrameAt >= quietMs) return Math.max(0, s.lastFrameAt - t0)
      if (now > until) return null
    }
  }

  async close(): Promise<void> {
    await this.phone.bye(5000).catch(() => undefined)
    this.phone.close()
    await this.peer.close()
  }
}
