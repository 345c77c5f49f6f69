import { describe, expect, it } from 'vitest'
import { useLivecall } from '../../support/livecall-harness.js'
import { createCaller, hookedSid } from '../../support/parties.js'

/**
 * RTP_TIMEOUT_S: an answered far end that went silent (a lost BYE) does not keep its call
 * forever. Embedded: the media engine's own timer; production: FreeSWITCH's media_timeout,
 * set per channel from the INVITE livecall sends it (freeswitch/conf/dialplan/mrf.xml).
 */
describe('RTP inactivity', () => {
  const h = useLivecall({ env: { RTP_TIMEOUT_S: '1' } })

  it('a caller that stops sending RTP is hung up with reason rtp timeout', async () => {
    h().scaffold.route('/app', [{ verb: 'answer' }, { verb: 'pause', length: 30 }])
    const c = await createCaller(h(), { tone: 700 })
    try {
      await c.call()
      await new Promise((r) => setTimeout(r, 300))
      c.peer.stop()
      await c.phone.answerBye(10_000)
      const sid = await hookedSid(h(), 0)
      const last = await h().scaffold.waitForStatus('completed', sid)
      expect(last.body).toMatchObject({ reason: 'rtp timeout' })
    } finally {
      await c.close()
    }
  }, 30_000)

  it('a caller that holds livecall with a=inactive (no RTP by design) is not hung up', async () => {
    h().scaffold.route('/app', [{ verb: 'answer' }, { verb: 'pause', length: 3 }, { verb: 'hangup' }])
    const c = await createCaller(h(), { tone: 700 })
    try {
      await c.call()
      const held = await c.phone.reinvite(c.peer.offer({ direction: 'inactive' }))
      expect(held).toMatch(/^SIP\/2\.0 200 OK/)
      c.peer.stop()
      await c.phone.answerBye(10_000)
      const sid = await hookedSid(h(), 0)
      const last = await h().scaffold.waitForStatus('completed', sid)
      expect(last.body).toMatchObject({ reason: 'hangup verb' })
    } finally {
      await c.close()
    }
  }, 30_000)
})
