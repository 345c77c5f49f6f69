import { describe, expect, it } from 'vitest'
import { waitForSilence, waitForTone } from '../../support/audio-check.js'
import { useLivecall } from '../../support/livecall-harness.js'
import { hangUpBoth, startBridge, update, type ApiAnswer } from '../../support/control-call.js'
import { A_TONE, B_TONE } from '../../support/parties.js'

/**
 * Updates racing on one call run one at a time in the call's command queue: every answer
 * is a success, and the state left is that of the update answered last.
 */
describe('live call control: concurrent updates on one call', () => {
  const h = useLivecall()

  /** fire all bodies at once; resolves with each answer and the order they were answered in */
  async function race(sid: string, bodies: unknown[]): Promise<{ answers: ApiAnswer[]; order: number[] }> {
    const order: number[] = []
    const answers = await Promise.all(
      bodies.map(async (b, i) => {
        const res = await update(h(), sid, b)
        order.push(i)
        return res
      }),
    )
    return { answers, order }
  }

  it('mute and unmute fired together: both 204, and the callee hears the caller exactly when unmute was applied last', async () => {
    const x = await startBridge(h())
    try {
      for (let round = 0; round < 4; round++) {
        const bodies = round % 2 === 0 ? [{ mute_status: 'mute' }, { mute_status: 'unmute' }] : [{ mute_status: 'unmute' }, { mute_status: 'mute' }]
        const { answers, order } = await race(x.sid, bodies)
        expect(answers.map((a) => a.status)).toEqual([204, 204])
        const last = bodies[order[order.length - 1]].mute_status
        if (last === 'unmute') await waitForTone(x.calleePeer, A_TONE, { timeoutMs: 5000 })
        else await waitForSilence(x.calleePeer, { timeoutMs: 5000 })
        await waitForTone(x.peer, B_TONE, { timeoutMs: 5000 })
      }
      await hangUpBoth(x)
    } finally {
      await x.end()
    }
  }, 90_000)

  it('hold and mute fired together: both 204; after unhold the mute is still there, and unmute lifts it', async () => {
    const x = await startBridge(h())
    try {
      const { answers } = await race(x.sid, [{ hold_status: 'hold' }, { mute_status: 'mute' }])
      expect(answers.map((a) => a.status)).toEqual([204, 204])
      await waitForSilence(x.peer, { timeoutMs: 5000 })
      await waitForSilence(x.calleePeer, { timeoutMs: 5000 })
      const { answers: second } = await race(x.sid, [{ hold_status: 'unhold' }, { whisper: { verb: 'say', text: 'ok' } }])
      // the whisper is refused while on hold, or plays after the unhold: never an interleaving error
      expect(second[0].status).toBe(204)
      expect([204, 409]).toContain(second[1].status)
      await waitForTone(x.peer, B_TONE, { timeoutMs: 10_000 }) // reconnected, B heard by A
      await waitForSilence(x.calleePeer, { timeoutMs: 5000 }) // A still muted
      expect((await update(h(), x.sid, { mute_status: 'unmute' })).status).toBe(204)
      await waitForTone(x.calleePeer, A_TONE, { timeoutMs: 5000 })
      await hangUpBoth(x)
    } finally {
      await x.end()
    }
  }, 90_000)
})
