import { makeWav, rms, sine } from '../../fixtures/audio/audio-test-kit.js'
import { heard, waitForTone } from '../../support/audio-check.js'
import { ACCOUNT, api, callPath, type ApiAnswer } from '../../support/control-call.js'
import type { LivecallHarness } from '../../support/livecall-harness.js'
import { RtpPeer } from '../../support/rtp-peer.js'
import { SipUdpCallee } from '../../support/sip-udp-callee.js'
import { SipUdpPhone, sdpOf } from '../../support/sip-udp-phone.js'
import { reply } from '../../support/webhook-scaffold.js'

export { ACCOUNT }
/** the caller's tone in a dial (what the callee hears from it) */
export const A_TONE = 700
/** the callee's tone in a dial (what the caller hears from it) */
export const B_TONE = 1200

/** A SIP phone caller whose app was fetched from /app, answered, its RtpPeer sending. */
export interface Caller {
  phone: SipUdpPhone
  peer: RtpPeer
  sid: string
  close(): Promise<void>
}

/** PUT …/Calls/{sid}. */
export const updateCall = (h: LivecallHarness, sid: string, body: unknown): Promise<ApiAnswer> => api(h, 'PUT', callPath(sid), body)

/** GET …/Calls/{sid}. */
export const getCall = (h: LivecallHarness, sid: string): Promise<ApiAnswer> => api(h, 'GET', callPath(sid))

/** POST …/Calls (create). */
export const createCall = (h: LivecallHarness, body: unknown): Promise<ApiAnswer> => api(h, 'POST', `/v1/Accounts/${ACCOUNT}/Calls`, body)

/** Serve a looping WAV tone of `freq` Hz at `/tone-<freq>.wav` and return a play verb for it. */
export function tonePlay(h: LivecallHarness, freq: number, loop = 30): Record<string, unknown> {
  const wav = makeWav({ rate: 8000, encoding: 'pcm16', seconds: 1, signal: sine(freq) })
  h.scaffold.route(`/tone-${freq}.wav`, reply({ body: wav, contentType: 'audio/wav' }))
  return { verb: 'play', url: h.scaffold.url(`/tone-${freq}.wav`), loop }
}

/** Call in from a SipUdpPhone (which answers BYEs itself) running `app`; resolves once answered, with the call's sid. */
export async function callIn(h: LivecallHarness, app: unknown[], opts: { freq?: number } = {}): Promise<Caller> {
  const before = h.scaffold.requests('/app').length
  h.scaffold.route('/app', app)
  const peer = await RtpPeer.create(opts.freq ? { payload: { kind: 'tone', freq: opts.freq } } : {})
  const phone = await SipUdpPhone.create({ host: '127.0.0.1', port: h.sipPort }, { autoAnswerBye: true })
  const close = async (): Promise<void> => {
    phone.close()
    await peer.close()
  }
  try {
    const final = await phone.invite(peer.offer())
    if (!/^SIP\/2\.0 200/.test(final)) throw new Error(`the call was not answered: ${final.split('\r\n')[0]}`)
    phone.ack(final)
    peer.target(sdpOf(final)).start()
    const sid = (h.scaffold.requests('/app')[before].body as { call_sid: string }).call_sid
    return { phone, peer, sid, close }
  } catch (err) {
    await close()
    throw err
  }
}

/** Wait until the last 300 ms `peer` heard are audible (speech: an RMS above 300). */
export async function waitForSound(peer: RtpPeer, timeoutMs = 10_000): Promise<void> {
  await peer.waitFor(() => rms(heard(peer, { lastMs: 300 })) > 300, timeoutMs, 'audible sound')
}

/** Wait for the BYE `ep` receives (answered by the endpoint itself). */
export async function waitForBye(ep: { waitFor(p: (m: string) => boolean, t?: number, w?: string): Promise<string> }, what: string, timeoutMs = 15_000): Promise<string> {
  return ep.waitFor((m) => m.startsWith('BYE '), timeoutMs, `BYE to ${what}`)
}

/** A dial from a caller A (SipUdpPhone, A_TONE) to a callee B (SipUdpCallee, B_TONE), each hearing the other. */
export interface Dial {
  a: SipUdpPhone
  aPeer: RtpPeer
  b: SipUdpCallee
  bPeer: RtpPeer
  parentSid: string
  childSid: string
  close(): Promise<void>
}

/** Serve `/app` = `[dial B (with `dial`'s extra properties), …after]`, call in from A and wait until both hear each other. */
export async function startDial(h: LivecallHarness, after: unknown[] = [], dial: Record<string, unknown> = {}): Promise<Dial> {
  const bPeer = await RtpPeer.create({ payload: { kind: 'tone', freq: B_TONE } })
  const b = await SipUdpCallee.create({ peer: bPeer })
  let caller: Caller | undefined
  try {
    caller = await callIn(h, [{ verb: 'dial', target: [{ type: 'sip', sipUri: b.uri() }], ...dial }, ...after], { freq: A_TONE })
    await b.waitForCall('answered')
    bPeer.start()
    await waitForTone(bPeer, A_TONE, { timeoutMs: 10_000 })
    await waitForTone(caller.peer, B_TONE, { timeoutMs: 10_000 })
    const list = (await api(h, 'GET', `/v1/Accounts/${ACCOUNT}/Calls`)).body as Array<{ call_sid: string; parent_call_sid: string | null }>
    const child = list.find((c) => c.parent_call_sid === caller!.sid)
    if (!child) throw new Error(`no dialed leg of ${caller.sid} in ${JSON.stringify(list)}`)
    const c = caller
    return {
      a: c.phone,
      aPeer: c.peer,
      b,
      bPeer,
      parentSid: c.sid,
      childSid: child.call_sid,
      close: async () => {
        await c.close()
        b.close()
        await bPeer.close()
      },
    }
  } catch (err) {
    await caller?.close()
    b.close()
    await bPeer.close()
    throw err
  }
}
