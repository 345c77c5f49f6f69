import { describe, expect, it } from 'vitest'
import { waitForSilence, waitForTone } from '../../support/audio-check.js'
import { useLivecall } from '../../support/livecall-harness.js'
import { hangUpBoth, listCalls, startBridge, update } from '../../support/control-call.js'
import { A_TONE, B_TONE } from '../../support/parties.js'
import { directionOf, reinvitesOf, waitForReinvite } from '../../support/sip-checks.js'

const MUSIC_TONE = 500

/**
 * hold_status (SPEC §5 extension, two-party hold): a re-INVITE to the held party
 * (RFC 3264 §8.4: a=sendonly with wait music, a=inactive without), the other party hears
 * silence; unhold re-INVITEs a=sendrecv and reconnects them.
 */
describe('live call control: hold_status', () => {
  const h = useLivecall()
  const music = () => h().scaffold.url('/hold-music')

  it('hold the caller with wait_hook: re-INVITE a=sendonly, the caller hears the music, the callee silence; unhold: a=sendrecv, both hear each other', async () => {
    h().scaffold.route('/hold-music', [{ verb: 'play', url: `tone_stream://${MUSIC_TONE}` }])
    const x = await startBridge(h())
    try {
      expect(await update(h(), x.sid, { hold_status: 'hold', wait_hook: music() })).toMatchObject({ status: 204, text: '' })
      expect(directionOf(await waitForReinvite(x.phone, 1))).toBe('sendonly')
      expect(reinvitesOf(x.callee)).toHaveLength(0) // only the held party is re-INVITEd
      const [hook] = h().scaffold.requests('/hold-music')
      expect(hook.body).toMatchObject({ call_sid: x.sid })
      await waitForTone(x.peer, MUSIC_TONE, { timeoutMs: 5000 })
      await waitForSilence(x.calleePeer, { timeoutMs: 5000 })

      expect((await update(h(), x.sid, { hold_status: 'unhold' })).status).toBe(204)
      expect(directionOf(await waitForReinvite(x.phone, 2))).toBe('sendrecv')
      await waitForTone(x.peer, B_TONE, { timeoutMs: 5000 })
      await waitForTone(x.calleePeer, A_TONE, { timeoutMs: 5000 })
      await hangUpBoth(x)
    } finally {
      await x.end()
    }
  }, 60_000)

  it('hold without wait_hook: re-INVITE a=inactive, neither party hears the other', async () => {
    const x = await startBridge(h())
    try {
      expect((await update(h(), x.sid, { hold_status: 'hold' })).status).toBe(204)
      expect(directionOf(await waitForReinvite(x.phone, 1))).toBe('inactive')
      await waitForSilence(x.peer, { timeoutMs: 5000 })
      await waitForSilence(x.calleePeer, { timeoutMs: 5000 })
      expect((await update(h(), x.sid, { hold_status: 'unhold' })).status).toBe(204)
      expect(directionOf(await waitForReinvite(x.phone, 2))).toBe('sendrecv')
      await waitForTone(x.peer, B_TONE, { timeoutMs: 5000 })
      await waitForTone(x.calleePeer, A_TONE, { timeoutMs: 5000 })
      await hangUpBoth(x)
    } finally {
      await x.end()
    }
  }, 60_000)

  it("hold the callee (child sid) with wait_hook: the callee is re-INVITEd and hears the music, the caller silence; unhold reconnects", async () => {
    h().scaffold.route('/hold-music', [{ verb: 'play', url: `tone_stream://${MUSIC_TONE}` }])
    const x = await startBridge(h())
    try {
      expect((await update(h(), x.child, { hold_status: 'hold', wait_hook: music() })).status).toBe(204)
      expect(directionOf(await waitForReinvite(x.callee, 1))).toBe('sendonly')
      expect(reinvitesOf(x.phone)).toHaveLength(0)
      await waitForTone(x.calleePeer, MUSIC_TONE, { timeoutMs: 5000 })
      await waitForSilence(x.peer, { timeoutMs: 5000 })
      expect((await update(h(), x.child, { hold_status: 'unhold' })).status).toBe(204)
      expect(directionOf(await waitForReinvite(x.callee, 2))).toBe('sendrecv')
      await waitForTone(x.peer, B_TONE, { timeoutMs: 5000 })
      await waitForTone(x.calleePeer, A_TONE, { timeoutMs: 5000 })
      await hangUpBoth(x)
    } finally {
      await x.end()
    }
  }, 60_000)

  it('a far end that refuses the re-INVITE: 502, and the call stays bridged (both hear each other)', async () => {
    const x = await startBridge(h())
    try {
      x.callee.refuseReinvite(488)
      const res = await update(h(), x.child, { hold_status: 'hold' })
      expect(res.status).toBe(502)
      expect(res.body.error.code).toBe('LIVECALL_ERR_SIP_REQUEST')
      expect(res.body.error.message).toMatch(/488|re-INVITE/)
      await waitForTone(x.peer, B_TONE, { timeoutMs: 5000 })
      await waitForTone(x.calleePeer, A_TONE, { timeoutMs: 5000 })
      // not on hold: unhold is a no-op and a second hold is tried again (and refused again)
      expect((await update(h(), x.child, { hold_status: 'unhold' })).status).toBe(204)
      x.callee.refuseReinvite(undefined)
      expect((await update(h(), x.child, { hold_status: 'hold' })).status).toBe(204)
      expect(directionOf(await waitForReinvite(x.callee, 2))).toBe('inactive')
      await waitForSilence(x.peer, { timeoutMs: 5000 })
      await hangUpBoth(x)
    } finally {
      await x.end()
    }
  }, 60_000)

  it('hold after the dial ended (the caller now in a pause) is 409', async () => {
    const x = await startBridge(h(), { after: [{ verb: 'pause', length: 30 }] })
    try {
      await x.callee.bye()
      await waitForCalls(1)
      const res = await update(h(), x.sid, { hold_status: 'hold' })
      expect(res.status).toBe(409)
      expect(res.body.error.code).toBe('LIVECALL_ERR_CALL_STATE')
      expect(reinvitesOf(x.phone)).toHaveLength(0)
      await x.phone.bye()
    } finally {
      await x.end()
    }
  }, 60_000)

  async function waitForCalls(n: number): Promise<void> {
    const until = Date.now() + 10_000
    while ((await listCalls(h())).length !== n) {
      if (Date.now() > until) throw new Error(`expected ${n} calls in progress`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }
})
