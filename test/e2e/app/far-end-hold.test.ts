import { describe, expect, it } from 'vitest'
import { isSilent, waitForSilence, waitForTone } from '../../support/audio-check.js'
import { useLivecall } from '../../support/livecall-harness.js'
import { RtpPeer } from '../../support/rtp-peer.js'
import { SipUdpCallee } from '../../support/sip-udp-callee.js'
import { SipUdpPhone, sdpOf } from '../../support/sip-udp-phone.js'

/** SPEC §8: hold re-INVITEs sent by endpoints are answered (sendonly ↔ recvonly) and the other party hears silence. */
describe('a party that holds livecall (re-INVITE a=sendonly / a=inactive)', () => {
  const h = useLivecall()

  it.each(['sendonly', 'inactive'] as const)('a=%s is answered with the mirrored direction; the other party hears silence until a=sendrecv', async (direction) => {
    const bPeer = await RtpPeer.create({ payload: { kind: 'tone', freq: 1200 } })
    const b = await SipUdpCallee.create({ peer: bPeer })
    const aPeer = await RtpPeer.create({ payload: { kind: 'tone', freq: 700 } })
    const a = await SipUdpPhone.create({ host: '127.0.0.1', port: h().sipPort })
    try {
      h().scaffold.route('/app', [{ verb: 'dial', target: [{ type: 'sip', sipUri: b.uri() }] }])
      const final = await a.invite(aPeer.offer())
      a.ack(final)
      aPeer.target(sdpOf(final)).start()
      await b.waitForCall('answered')
      bPeer.start()
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
      a.close()
      b.close()
      await aPeer.close()
      await bPeer.close()
    }
  }, 40_000)
})
