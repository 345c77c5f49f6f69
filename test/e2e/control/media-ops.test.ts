import { describe, expect, it } from 'vitest'
import { makeWav, sine } from '../../fixtures/audio/audio-test-kit.js'
import { hearsTone, isSilent, nowMs, waitForSilence, waitForTone } from '../../support/audio-check.js'
import { callIn, hangUpBoth, startBridge, update } from '../../support/control-call.js'
import { useLivecall } from '../../support/livecall-harness.js'
import { A_TONE, B_TONE } from '../../support/parties.js'
import { reply } from '../../support/webhook-scaffold.js'

const WHISPER_TONE = 440
/** a short WAV whisper: 2 s of 440 Hz */
const whisperWav = makeWav({ rate: 8000, encoding: 'pcm16', seconds: 2, signal: sine(WHISPER_TONE) })

/** mute_status and whisper through the native API on a bridged dial (SPEC §5). */
describe('live call control: mute and whisper', () => {
  const h = useLivecall()

  it('mute_status on the caller: the callee no longer hears it, the caller still hears the callee; unmute brings it back', async () => {
    const x = await startBridge(h())
    try {
      expect(await update(h(), x.sid, { mute_status: 'mute' })).toMatchObject({ status: 204, text: '' })
      await waitForSilence(x.calleePeer, { timeoutMs: 5000 })
      await waitForTone(x.peer, B_TONE, { timeoutMs: 5000 })
      expect((await update(h(), x.sid, { mute_status: 'unmute' })).status).toBe(204)
      await waitForTone(x.calleePeer, A_TONE, { timeoutMs: 5000 })
      await waitForTone(x.peer, B_TONE, { timeoutMs: 5000 })
      await hangUpBoth(x)
    } finally {
      await x.end()
    }
  }, 60_000)

  it("mute_status on the child's sid: the caller no longer hears the callee, the callee still hears the caller", async () => {
    const x = await startBridge(h())
    try {
      expect((await update(h(), x.child, { mute_status: 'mute' })).status).toBe(204)
      await waitForSilence(x.peer, { timeoutMs: 5000 })
      await waitForTone(x.calleePeer, A_TONE, { timeoutMs: 5000 })
      expect((await update(h(), x.child, { mute_status: 'unmute' })).status).toBe(204)
      await waitForTone(x.peer, B_TONE, { timeoutMs: 5000 })
      await hangUpBoth(x)
    } finally {
      await x.end()
    }
  }, 60_000)

  it('mute_status on a call running only a pause is 409 (no dial is active)', async () => {
    const call = await callIn(h(), [{ verb: 'answer' }, { verb: 'pause', length: 30 }], { tone: A_TONE })
    try {
      const res = await update(h(), call.sid, { mute_status: 'mute' })
      expect(res.status).toBe(409)
      expect(res.body.error.code).toBe('LIVECALL_ERR_CALL_STATE')
      expect(res.body.error.message).toMatch(/dial/)
      const whisper = await update(h(), call.sid, { whisper: { verb: 'say', text: 'hello' } })
      expect(whisper.status).toBe(409)
      await call.phone.bye()
    } finally {
      await call.end()
    }
  }, 60_000)

  it('whisper play to the caller: the caller hears it, the callee hears silence meanwhile, then they hear each other again', async () => {
    h().scaffold.route('/whisper.wav', reply({ status: 200, body: whisperWav, contentType: 'audio/wav' }))
    const x = await startBridge(h())
    try {
      const res = await update(h(), x.sid, { whisper: { verb: 'play', url: h().scaffold.url('/whisper.wav') } })
      expect(res.status).toBe(204)
      await waitForTone(x.peer, WHISPER_TONE, { timeoutMs: 5000 })
      await waitForSilence(x.calleePeer, { timeoutMs: 2000 })
      // the WAV ends: reconnected
      await waitForTone(x.peer, B_TONE, { timeoutMs: 8000 })
      await waitForTone(x.calleePeer, A_TONE, { timeoutMs: 5000 })
      await hangUpBoth(x)
    } finally {
      await x.end()
    }
  }, 60_000)

  it("whisper say to the child's sid: the callee hears speech, the caller silence; then both reconnected", async () => {
    const x = await startBridge(h())
    try {
      const res = await update(h(), x.child, { whisper: { verb: 'say', text: 'A customer is waiting on the line.' } })
      expect(res.status).toBe(204)
      await waitForSilence(x.peer, { timeoutMs: 5000 })
      // the callee hears speech: loud, and not the caller's tone
      await x.calleePeer.waitFor(() => !isSilent(x.calleePeer, { lastMs: 300 }) && !hearsTone(x.calleePeer, A_TONE, { lastMs: 300, minRatio: 0.8 }), 5000, 'the whispered speech')
      await waitForTone(x.peer, B_TONE, { timeoutMs: 15_000 })
      await waitForTone(x.calleePeer, A_TONE, { timeoutMs: 5000 })
      await hangUpBoth(x)
    } finally {
      await x.end()
    }
  }, 60_000)

  it('whisper with mute_status in one request: the mute is applied, then the whisper plays; the mute outlives the whisper', async () => {
    h().scaffold.route('/whisper.wav', reply({ status: 200, body: whisperWav, contentType: 'audio/wav' }))
    const x = await startBridge(h())
    try {
      const res = await update(h(), x.sid, { mute_status: 'mute', whisper: { verb: 'play', url: h().scaffold.url('/whisper.wav') } })
      expect(res.status).toBe(204)
      await waitForTone(x.peer, WHISPER_TONE, { timeoutMs: 5000 })
      await waitForSilence(x.calleePeer, { timeoutMs: 2000 })
      // after the whisper: A hears B again, B still does not hear the muted A
      await waitForTone(x.peer, B_TONE, { timeoutMs: 8000 })
      const since = nowMs()
      await x.calleePeer.waitFor(() => x.calleePeer.audio().filter((p) => p.at >= since).length >= 50, 5000, '1 s of audio at B')
      expect(isSilent(x.calleePeer, { since })).toBe(true)
      expect((await update(h(), x.sid, { mute_status: 'unmute' })).status).toBe(204)
      await waitForTone(x.calleePeer, A_TONE, { timeoutMs: 5000 })
      await hangUpBoth(x)
    } finally {
      await x.end()
    }
  }, 60_000)

  it('jambonz #1084: the caller hangs up during a long whisper; the whisper stops, the callee gets BYE and no audio after', async () => {
    const x = await startBridge(h())
    try {
      expect((await update(h(), x.child, { whisper: { verb: 'play', url: `tone_stream://${WHISPER_TONE}` } })).status).toBe(204)
      await waitForTone(x.calleePeer, WHISPER_TONE, { timeoutMs: 5000 })
      await x.phone.bye()
      await x.callee.waitFor((m) => m.startsWith('BYE '), 10_000, 'BYE to the callee')
      await h().assertClean()
      const after = nowMs()
      await new Promise((r) => setTimeout(r, 500))
      expect(x.calleePeer.audio().filter((p) => p.at >= after)).toHaveLength(0)
    } finally {
      await x.end()
    }
  }, 60_000)
})

