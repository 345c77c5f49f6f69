import { describe, expect, it } from 'vitest'
import { isSilent, waitForSilence, waitForTone } from '../../support/audio-check.js'
import { callBridged } from '../../support/control-call.js'
import { useLivecall } from '../../support/livecall-harness.js'
import { sdpOf } from '../../support/sip-udp-phone.js'

/** SPEC §8: hold re-INVITEs sent by endpoints are answered (sendonly ↔ recvonly) and the other party hears silence. */
describe('a party that holds livecall (re-INVITE a=sendonly / a=inactive)', () => {
  const h = useLivecall()

  it.each(['sendonly', 'inactive'] as const)('a=%s is answered with the mirrored direction; the other party hears silence until a=sendrecv', async (direction) => {
    const x = await callBridged(h())
    const { phone: a, peer: aPeer, callee: b, calleePeer: bPeer } = x
    try {
      await waitForTone(bPeer, 700, { timeoutMs: 5000 })

      const held = await a.reinvite(aPeer.offer({ direction }))
      expect(held).toMatch(/^SIP\/2\.0 200 OK/)
      expect(sdpOf(held)).toMatch(new RegExp(`^a=${direction === 'sendonly' ? 'recvonly' : 'inactive'}\\r?$`, 'm'))
      // A keeps sending (music on hold, say) but B hears silence from it
      await waitForSilence(bPeer, { timeoutMs: 5000 })
      const heard = aPeer.received.length
      await new Promise((r) => setTimeout(r, 300))
      expect(aPeer.received.length - heard).toBeLessThan(3) // nothing more is sent to the party that holds us

      const resumed = await a.reinvite(aPeer.offer({ direction: 'sendrecv' }))
      expect(sdpOf(resumed)).toMatch(/^a=sendrecv\r?$/m)
      await waitForTone(bPeer, 700, { timeoutMs: 5000 })
      await waitForTone(aPeer, 1200, { timeoutMs: 5000 })
      expect(isSilent(bPeer, { lastMs: 200 })).toBe(false)
      // the callee's dialog was never touched: no re-INVITE went to B
      expect(b.messages.filter((m) => m.startsWith('INVITE ')).length).toBe(1)
      await a.bye()
      await b.waitFor((m) => m.startsWith('BYE '), 5000, 'BYE to the callee')
    } finally {
      await x.end()
    }
  }, 40_000)
})
