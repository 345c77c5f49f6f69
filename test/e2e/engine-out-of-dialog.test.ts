import type Srf from 'drachtio-srf'
import { describe, expect, it } from 'vitest'
import { ServerUnderTest } from '../support/engine-harness.js'
import { useEngineHarness } from '../support/use-engine-harness.js'
import { describeSipp, runSipp } from '../support/sipp.js'

/** Requests outside any call: OPTIONS (RFC 3261 §11) and in-dialog requests for no dialog (§12.2.2). */
describe.each(['udp', 'tcp'] as const)('engine: out-of-dialog requests over %s', (transport) => {
  const h = useEngineHarness()

  it('answers OPTIONS itself when no app routed options: 200 from the engine, 503 from drachtio-server', async () => {
    await h().connectSrf((srf) => srf.invite((_req, res) => res.send(480)))
    const r = await runSipp({ scenario: 'uac-options-expect-200.xml', target: h().sipTarget, transport, ports: h().ports, traceMessages: true })
    if (h().server === ServerUnderTest.Embedded) {
      // keep-alive pings are answered without an app (docs/engine.md, deliberate difference)
      expect(r.code, describeSipp(r)).toBe(0)
    } else {
      // drachtio-server treats OPTIONS like any new request: nobody routed it → 503
      expect(r.messages, describeSipp(r)).toMatch(/^SIP\/2\.0 503 /m)
      expect(r.messages).not.toMatch(/^SIP\/2\.0 200 /m)
    }
  })

  it('hands OPTIONS to the app that routed options, which answers 200', async () => {
    const seen: Srf.SrfRequest[] = []
    await h().connectSrf((srf) =>
      srf.use('options', (req, res) => {
        seen.push(req)
        res.send(200, { headers: { 'X-Answered-By': 'app' } })
      }),
    )
    const r = await runSipp({ scenario: 'uac-options-expect-200.xml', target: h().sipTarget, transport, ports: h().ports, traceMessages: true })
    expect(r.code, describeSipp(r)).toBe(0)
    expect(seen).toHaveLength(1)
    expect(r.messages).toMatch(/X-Answered-By: app/i)
  })

  it('answers a BYE for an unknown dialog 481', async () => {
    await h().connectSrf((srf) => srf.invite((_req, res) => res.send(480)))
    const r = await runSipp({
      scenario: 'uac-bye-unknown-dialog-expect-481.xml', target: h().sipTarget, transport, ports: h().ports, traceMessages: true,
    })
    expect(r.code, describeSipp(r)).toBe(0)
  })
})
