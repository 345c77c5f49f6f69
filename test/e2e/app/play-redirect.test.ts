import { describe, expect, it } from 'vitest'
import { makeWav, sine } from '../../fixtures/audio/audio-test-kit.js'
import { waitForTone } from '../../support/audio-check.js'
import { useLivecall } from '../../support/livecall-harness.js'
import { createCaller } from '../../support/parties.js'

describe('play, redirect and relative hooks', () => {
  const h = useLivecall()

  async function call() {
    const c = await createCaller(h())
    const final = await c.call()
    expect(final).toMatch(/^SIP\/2\.0 200 OK/)
    return c
  }

  it('play fetches a WAV from its URL and the caller hears it `loop` times; a relative actionHook gets playCompleted', async () => {
    const wav = makeWav({ rate: 8000, encoding: 'pcm16', seconds: 0.5, signal: sine(600) })
    h().scaffold.route('/audio/tone.wav', { status: 200, body: wav, contentType: 'audio/wav' })
    h().scaffold.route('/app', [{ verb: 'play', url: h().scaffold.url('/audio/tone.wav'), loop: 2, actionHook: 'played' }, { verb: 'hangup' }])
    h().scaffold.route('/played', [])
    const c = await call()
    try {
      await waitForTone(c.peer, 600, { timeoutMs: 5000 })
      await c.phone.answerBye(10_000)
      expect(c.peer.audio().length).toBeGreaterThanOrEqual(45) // two loops of 0.5 s = 50 packets
      expect(h().scaffold.requests('/audio/tone.wav').length).toBeGreaterThanOrEqual(1)
      const done = h().scaffold.requests('/played')[0]
      expect(done.body).toMatchObject({ reason: 'playCompleted', playback_seconds: 1 })
    } finally {
      await c.close()
    }
  }, 30_000)

  it('redirect replaces the rest of the app with the one its actionHook returns; the status hook sees one call', async () => {
    h().scaffold.route('/app', [{ verb: 'redirect', actionHook: '/second' }, { verb: 'say', text: 'never spoken' }])
    h().scaffold.route('/second', [{ verb: 'pause', length: 0.1 }, { verb: 'play', url: 'silence_stream://200' }, { verb: 'hangup' }])
    const c = await call()
    try {
      await c.phone.answerBye(10_000)
      const [first] = h().scaffold.requests('/app')
      const [second] = h().scaffold.requests('/second')
      expect((second.body as { call_sid: string }).call_sid).toBe((first.body as { call_sid: string }).call_sid)
      // 'never spoken' was not: only ~200 ms of silence reached the caller
      expect(c.peer.audio().length).toBeLessThan(30)
    } finally {
      await c.close()
    }
  }, 30_000)
})
