import type { LivecallHarness } from './livecall-harness.js'
import { RtpPeer, type RtpPeerOptions } from './rtp-peer.js'
import { SipUdpCallee, type CalleeMode } from './sip-udp-callee.js'
import { SipUdpPhone, sdpOf } from './sip-udp-phone.js'

/** the caller's tone in a dial (what the callee hears from it) */
export const A_TONE = 700
/** the callee's tone in a dial (what the caller hears from it) */
export const B_TONE = 1200

const isSuccess = (final: string): boolean => /^SIP\/2\.0 2\d\d /.test(final)

/** A caller of livecall: a SipUdpPhone with the RtpPeer its SDP offers. */
export interface Caller {
  phone: SipUdpPhone
  peer: RtpPeer
  /**
   * INVITE livecall with the peer's offer and resolve with the final response. A 2xx is
   * ACKed and the peer starts sending to the answer's media address; a failure the phone
   * ACKs itself.
   */
  call(): Promise<string>
  /** ACK `final` (a 2xx) and start sending RTP to its SDP's address. */
  answered(final: string): void
  close(): Promise<void>
}

export interface CallerOptions {
  /** the peer sends a sine of this frequency (default: the RtpPeer's own payload) */
  tone?: number
  /** the phone answers the far end's BYE itself (default false: `phone.answerBye()` does) */
  autoAnswerBye?: boolean
  /** further RtpPeer options (telephoneEventPt, codec, …) */
  peer?: RtpPeerOptions
}

/** A caller pointed at livecall's SIP port; it has not called yet. */
export async function createCaller(h: LivecallHarness, opts: CallerOptions = {}): Promise<Caller> {
  const peer = await RtpPeer.create({ ...opts.peer, ...(opts.tone ? { payload: { kind: 'tone', freq: opts.tone } } : {}) })
  const phone = await SipUdpPhone.create({ host: '127.0.0.1', port: h.sipPort }, opts.autoAnswerBye ? { autoAnswerBye: true } : {})
  const answered = (final: string): void => {
    phone.ack(final)
    peer.target(sdpOf(final)).start()
  }
  return {
    phone,
    peer,
    answered,
    call: async () => {
      const final = await phone.invite(peer.offer())
      if (isSuccess(final)) answered(final)
      return final
    },
    close: async () => {
      phone.close()
      await peer.close()
    },
  }
}

/** The far end of a dial: a SipUdpCallee answering with its RtpPeer's SDP. */
export interface Callee {
  sip: SipUdpCallee
  peer: RtpPeer
  close(): Promise<void>
}

/** A callee whose peer sends a `tone` Hz sine once started (`peer.start()`); `mode` as SipUdpCallee's (default: answer). */
export async function createCallee(opts: { tone?: number; mode?: CalleeMode } = {}): Promise<Callee> {
  const peer = await RtpPeer.create(opts.tone ? { payload: { kind: 'tone', freq: opts.tone } } : {})
  const sip = await SipUdpCallee.create({ peer, ...(opts.mode ? { mode: opts.mode } : {}) })
  return {
    sip,
    peer,
    close: async () => {
      sip.close()
      await peer.close()
    },
  }
}

/** The call_sid of the `n`-th (0-based) CALL_HOOK request the scaffold got. */
export function hookedSid(h: LivecallHarness, n = 0): string {
  return (h.scaffold.requests('/app')[n].body as { call_sid: string }).call_sid
}
