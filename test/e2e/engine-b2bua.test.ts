import { describe, expect, it } from 'vitest'
import { pcmuSdp, within } from '../support/engine-harness.js'
import { connectB2bua } from '../support/b2bua-app.js'
import { useEngineHarness } from '../support/use-engine-harness.js'
import { describeSipp, runSipp, startSipp, type SippResult, type SippTransport } from '../support/sipp.js'

function bUri(port: number, transport: SippTransport): string {
  return `sip:service@127.0.0.1:${port}${transport === 'tcp' ? ';transport=tcp' : ''}`
}

function expectOk(r: SippResult, leg: string): void {
  expect(r.code, `${leg}\n${describeSipp(r)}`).toBe(0)
  expect(r.successful, leg).toBe(1)
}

/** srf's createB2BUA on the engine, SIPp at both ends (A calls, B answers). */
describe.each(['udp', 'tcp'] as const)('engine: srf createB2BUA over %s', (transport) => {
  const h = useEngineHarness()

  async function run(aScenario: string, bScenario: string, opts: { aPauseMs?: number; bPauseMs?: number } = {}) {
    const b = await startSipp({ scenario: bScenario, transport, ports: h().ports, pauseMs: opts.bPauseMs, traceMessages: true })
    await b.ready
    const app = await connectB2bua(h(), bUri(b.localPort, transport))
    const a = await runSipp({
      scenario: aScenario, target: h().sipTarget, transport, ports: h().ports, pauseMs: opts.aPauseMs, traceMessages: true,
    })
    return { a, b: await b.done, app }
  }

  it('bridges A to B with A\'s SDP; A\'s BYE tears down B', async () => {
    const { a, b, app } = await run('uac-invite-bye-expect-200.xml', 'uas-answer-wait-bye.xml', { aPauseMs: 300 })
    expectOk(a, 'A (caller)')
    expectOk(b, 'B (callee)')
    const { uas, uac } = await within(app.call, 1000, 'createB2BUA to resolve')
    expect(uac.remote.sdp).toMatch(/m=audio \d+ RTP\/AVP 0/)
    expect(uas.local.sdp).toBe(uac.remote.sdp)
  })

  it('B\'s BYE tears down A', async () => {
    const { a, b } = await run('uac-invite-expect-bye.xml', 'uas-answer-send-bye.xml', { bPauseMs: 300 })
    expectOk(a, 'A (caller)')
    expectOk(b, 'B (callee)')
  })

  it('A\'s CANCEL while B rings reaches B; A gets 487', async () => {
    const { a, b, app } = await run('uac-cancel-after-180-expect-487.xml', 'uas-ring-wait-cancel.xml')
    expectOk(a, 'A (caller)')
    expectOk(b, 'B (callee)')
    expect(await within(app.failed, 1000, 'createB2BUA to reject')).toMatchObject({ status: 487 })
  })

  it('B\'s 486 reaches A as 486', async () => {
    const { a, b, app } = await run('uac-invite-expect-486.xml', 'uas-busy-486.xml')
    expectOk(a, 'A (caller)')
    expectOk(b, 'B (callee)')
    expect(await within(app.failed, 1000, 'createB2BUA to reject')).toMatchObject({ status: 486 })
  })

  it('dialog.modify() puts B on hold with a re-INVITE carrying a=sendonly', async () => {
    const b = await startSipp({ scenario: 'uas-answer-expect-reinvite-sendonly.xml', transport, ports: h().ports, traceMessages: true })
    await b.ready
    const app = await connectB2bua(h(), bUri(b.localPort, transport))
    const aRun = runSipp({ scenario: 'uac-invite-expect-bye.xml', target: h().sipTarget, transport, ports: h().ports, traceMessages: true })

    const { uas, uac } = await within(app.call, 5000, 'createB2BUA to resolve')
    const answer = await uac.modify(pcmuSdp(40020, 'sendonly'))
    expect(answer).toMatch(/a=recvonly/)
    uac.destroy() // our own hang-up: srf emits no 'destroy' for it, so end both legs
    uas.destroy()

    const [a, bResult] = await Promise.all([aRun, b.done])
    expectOk(a, 'A (caller)')
    expectOk(bResult, 'B (callee, checks a=sendonly)')
  })
})
