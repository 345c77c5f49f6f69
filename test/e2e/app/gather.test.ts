import { describe, expect, it } from 'vitest'
import { nowMs, rms, heard } from '../../support/audio-check.js'
import { useLivecall } from '../../support/livecall-harness.js'
import { createCaller, hookedSid } from '../../support/parties.js'
import type { RtpPeer } from '../../support/rtp-peer.js'

/** A long prompt: several seconds of speech, longer than any test waits for it. */
const LONG_TEXT =
  'Welcome to the livecall test line. This message is long on purpose, so that it is still playing when the caller presses a key. ' +
  'Please listen carefully, as our menu options have changed. Press one for sales, two for support, three for billing, or stay on the line.'

describe('gather (DTMF input): the caller types digits, the actionHook gets them', () => {
  const h = useLivecall()

  /** A caller (SIP phone + RTP peer sending audio) in an answered call to livecall. */
  async function call() {
    const c = await createCaller(h(), { tone: 300 })
    const final = await c.call()
    expect(final).toMatch(/^SIP\/2\.0 200 OK/)
    return {
      ...c,
      /** type `digits` on the keypad (RFC 4733), one after the other */
      press: (digits: string) => [...digits].forEach((d) => c.peer.sendDigit(d, 100)),
    }
  }

  /** The first request to `path`, its body. */
  const hook = async (path: string, timeoutMs = 15_000) => (await h().scaffold.waitFor((r) => r.path === path, timeoutMs, path)).body as Record<string, unknown>

  /** True once speech (not silence) is arriving: the last 300 ms are loud. */
  const speaking = (peer: RtpPeer) => rms(heard(peer, { lastMs: 300 })) > 300

  it('numDigits: the actionHook gets reason dtmfDetected and exactly the digits; its answer (say, hangup) runs', async () => {
    h().scaffold.route('/app', [{ verb: 'gather', input: ['digits'], numDigits: 3, timeout: 20, actionHook: '/gathered', say: { text: 'Enter three digits.' } }, { verb: 'say', text: 'not reached' }])
    h().scaffold.route('/gathered', [{ verb: 'say', text: 'You entered four two seven. Goodbye.' }, { verb: 'hangup' }])
    const c = await call()
    try {
      await c.peer.waitFor(() => speaking(c.peer), 10_000, 'the prompt')
      c.press('4273')
      const body = await hook('/gathered')
      expect(body).toMatchObject({ reason: 'dtmfDetected', digits: '427' })
      expect(body).toHaveProperty('call_sid')
      const afterHook = nowMs()
      await c.phone.answerBye(20_000)
      // the answer document ran: the caller heard the second say
      expect(rms(heard(c.peer, { since: afterHook }))).toBeGreaterThan(300)
    } finally {
      await c.close()
    }
    expect(h().scaffold.requests('/gathered')).toHaveLength(1)
    expect(h().scaffold.requests('/app')).toHaveLength(1)
  }, 40_000)

  it('finishOnKey ends the input; the key is not among the digits', async () => {
    h().scaffold.route('/app', [{ verb: 'gather', finishOnKey: '#', timeout: 20, actionHook: '/gathered' }])
    h().scaffold.route('/gathered', [{ verb: 'hangup' }])
    const c = await call()
    try {
      c.press('56#')
      expect(await hook('/gathered')).toMatchObject({ reason: 'dtmfDetected', digits: '56' })
      await c.phone.answerBye()
    } finally {
      await c.close()
    }
  }, 40_000)

  it('interDigitTimeout ends the input once minDigits were typed', async () => {
    h().scaffold.route('/app', [{ verb: 'gather', minDigits: 2, maxDigits: 6, interDigitTimeout: 1, timeout: 30, actionHook: '/gathered' }])
    h().scaffold.route('/gathered', [{ verb: 'hangup' }])
    const c = await call()
    try {
      c.press('98')
      expect(await hook('/gathered')).toMatchObject({ reason: 'dtmfDetected', digits: '98' })
      await c.phone.answerBye()
    } finally {
      await c.close()
    }
  }, 40_000)

  it('no digit before the timeout: reason timeout, no digits; an empty answer lets the app go on', async () => {
    h().scaffold.route('/app', [{ verb: 'gather', timeout: 1, actionHook: '/gathered', say: { text: 'Press a key.' } }, { verb: 'say', text: 'We did not get your answer. Goodbye.' }, { verb: 'hangup' }])
    h().scaffold.route('/gathered', [])
    const c = await call()
    try {
      const body = await hook('/gathered')
      expect(body.reason).toBe('timeout')
      expect(body).not.toHaveProperty('digits')
      const afterHook = nowMs()
      await c.phone.answerBye(20_000)
      expect(rms(heard(c.peer, { since: afterHook }))).toBeGreaterThan(300) // the next say of the app
    } finally {
      await c.close()
    }
  }, 40_000)

  it('a digit during the prompt stops it (dtmfBargein) and counts as input', async () => {
    h().scaffold.route('/app', [{ verb: 'gather', finishOnKey: '#', timeout: 30, actionHook: '/gathered', say: { text: LONG_TEXT } }])
    h().scaffold.route('/gathered', [{ verb: 'hangup' }])
    const c = await call()
    try {
      await c.peer.waitFor(() => speaking(c.peer), 10_000, 'the prompt')
      c.press('1')
      // the prompt's stream stops: no audio packet for half a second (speech has its
      // pauses, but a prompt sends a packet every 20 ms, silence included)
      await c.peer.waitFor(() => nowMs() - (c.peer.audio().at(-1)?.at ?? 0) > 500, 10_000, 'the prompt to stop')
      expect(h().scaffold.requests('/gathered')).toHaveLength(0) // still gathering: the digit stopped the prompt, not the gather
      const heardMs = c.peer.audio().length * 20
      expect(heardMs).toBeLessThan(8000) // far less than the whole prompt
      c.press('2#')
      expect(await hook('/gathered')).toMatchObject({ reason: 'dtmfDetected', digits: '12' })
      await c.phone.answerBye()
    } finally {
      await c.close()
    }
  }, 40_000)

  it('without an actionHook the app goes on with the next verb', async () => {
    h().scaffold.route('/app', [{ verb: 'gather', numDigits: 1, timeout: 20 }, { verb: 'hangup' }])
    const c = await call()
    try {
      c.press('7')
      await c.phone.answerBye()
    } finally {
      await c.close()
    }
  }, 40_000)

  it("input ['speech'] alone is refused before anything runs (livecall has no recognizer)", async () => {
    h().scaffold.route('/app', [{ verb: 'say', text: 'never heard' }, { verb: 'gather', input: ['speech'], actionHook: '/gathered' }])
    const { peer, call, close } = await createCaller(h())
    try {
      const final = await call()
      expect(final).toMatch(/^SIP\/2\.0 [56]\d\d /)
    } finally {
      await close()
    }
    expect(peer.audio()).toHaveLength(0)
    const sid = hookedSid(h())
    const done = await h().scaffold.waitFor((r) => r.path === '/status' && r.body?.call_sid === sid && /speech recognizer/.test(JSON.stringify(r.body)), 10_000, 'the failure reason')
    expect(JSON.stringify(done.body)).toMatch(/gather/)
  }, 40_000)
})
