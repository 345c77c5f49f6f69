import type Srf from 'drachtio-srf'
import { describe, expect, it } from 'vitest'
import { deferred, pcmuSdp, ServerUnderTest, within } from '../support/engine-harness.js'
import { useEngineHarness } from '../support/use-engine-harness.js'
import { describeSipp, runSipp } from '../support/sipp.js'

/**
 * drachtio-srf as a UAS on the engine: SIPp places the call, `srf.createUAS` answers it
 * with SDP, and either side hangs up (RFC 3261 §13.3, §15).
 */
describe.each(['udp', 'tcp'] as const)('engine: srf createUAS over %s', (transport) => {
  const h = useEngineHarness()

  it('answers a SIPp INVITE with SDP and sees the caller\'s BYE as dialog destroy', async () => {
    const answered = deferred<Srf.Dialog>()
    const destroyed = deferred()
    const offer = deferred<string>()
    await h().connectSrf((srf) =>
      srf.invite((req, res) => {
        offer.resolve(req.body)
        srf.createUAS(req, res, { localSdp: pcmuSdp(40000) }).then((uas) => {
          uas.on('destroy', () => destroyed.resolve())
          answered.resolve(uas)
        }, answered.reject)
      }),
    )

    const r = await runSipp({
      scenario: 'uac-invite-bye-expect-200.xml', target: h().sipTarget, transport, ports: h().ports,
      pauseMs: 200, traceMessages: true,
    })

    expect(r.code, describeSipp(r)).toBe(0)
    expect(r.successful).toBe(1)
    expect(r.messages, 'the engine sends 100 Trying itself').toMatch(/^SIP\/2\.0 100 /m)
    expect(await offer.promise).toMatch(/m=audio \d+ RTP\/AVP 0/)
    const uas = await within(answered.promise, 1000, 'createUAS to resolve')
    expect(uas.remote.sdp).toMatch(/a=rtpmap:0 PCMU\/8000/)
    await within(destroyed.promise, 1000, 'the dialog destroy event for the caller\'s BYE')
  })

  it('sends a BYE from dialog.destroy() that the SIPp caller answers 200', async () => {
    const byeSent = deferred()
    await h().connectSrf((srf) =>
      srf.invite((req, res) => {
        srf.createUAS(req, res, { localSdp: pcmuSdp(40002) }).then((uas) => {
          setTimeout(() => uas.destroy(undefined, (err) => (err ? byeSent.reject(err) : byeSent.resolve())), 200)
        }, byeSent.reject)
      }),
    )

    const r = await runSipp({
      scenario: 'uac-invite-expect-bye.xml', target: h().sipTarget, transport, ports: h().ports,
      traceMessages: true,
    })

    expect(r.code, describeSipp(r)).toBe(0)
    expect(r.successful).toBe(1)
    await within(byeSent.promise, 1000, 'dialog.destroy() to complete')
  })

  it('answers an INVITE with Require: foo 420 Bad Extension with Unsupported: foo (RFC 3261 §8.2.2.3) before the app sees it; drachtio-server leaves that to the app', async () => {
    const seen = deferred<string>()
    await h().connectSrf((srf) =>
      srf.invite((req, res) => {
        seen.resolve(req.get('Require'))
        // what an app on drachtio-server, which has no Require check, answers itself
        res.send(420, { headers: { Unsupported: 'foo' } })
      }),
    )

    const r = await runSipp({
      scenario: 'uac-invite-require-foo-expect-420.xml', target: h().sipTarget, transport, ports: h().ports,
      traceMessages: true,
    })

    expect(r.code, describeSipp(r)).toBe(0)
    expect(r.successful).toBe(1)
    if (h().server === ServerUnderTest.Embedded) {
      const notSeen = new Promise<string>((resolve) => setTimeout(() => resolve('not seen'), 300))
      expect(await Promise.race([seen.promise, notSeen])).toBe('not seen')
    } else {
      expect(await within(seen.promise, 1000, 'the app\'s INVITE')).toBe('foo')
    }
  })
})
