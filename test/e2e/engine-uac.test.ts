import type Srf from 'drachtio-srf'
import { describe, expect, it } from 'vitest'
import { deferred, pcmuSdp, within } from '../support/engine-harness.js'
import { useEngineHarness } from '../support/use-engine-harness.js'
import { describeSipp, startSipp, type SippTransport } from '../support/sipp.js'

/** The Request-URI srf dials: a SIPp UAS, reached over the transport under test (RFC 3263 §4.1). */
function sippUri(port: number, transport: SippTransport): string {
  return `sip:service@127.0.0.1:${port}${transport === 'tcp' ? ';transport=tcp' : ''}`
}

/**
 * srf 5.0.29 calls `cbRequest(err, req)` although its .d.ts declares `(req) => void`;
 * adapt a handler written against the real signature.
 */
function onRequestSent(handler: (req: Srf.SrfRequest) => void): (req: Srf.SrfRequest) => void {
  return ((_err: unknown, req: Srf.SrfRequest) => handler(req)) as unknown as (req: Srf.SrfRequest) => void
}

/**
 * drachtio-srf as a UAC on the engine: `srf.createUAC` calls a SIPp UAS (RFC 3261 §13.2).
 */
describe.each(['udp', 'tcp'] as const)('engine: srf createUAC over %s', (transport) => {
  const h = useEngineHarness()

  it('calls a SIPp UAS with SDP, gets its answer, and hangs up with BYE', async () => {
    const srf = await h().connectSrf()
    const uas = await startSipp({ scenario: 'uas-answer-wait-bye.xml', transport, ports: h().ports, traceMessages: true })
    await uas.ready

    const dialog = await srf.createUAC(sippUri(uas.localPort, transport), { localSdp: pcmuSdp(40010) })
    expect(dialog.remote.sdp).toMatch(/m=audio \d+ RTP\/AVP 0/)
    await new Promise<void>((resolve, reject) => dialog.destroy(undefined, (err) => (err ? reject(err) : resolve())))

    const r = await uas.done
    expect(r.code, describeSipp(r)).toBe(0)
    expect(r.successful).toBe(1)
  })

  it('sees the SIPp UAS\'s BYE as dialog destroy', async () => {
    const srf = await h().connectSrf()
    const uas = await startSipp({
      scenario: 'uas-answer-send-bye.xml', transport, ports: h().ports, pauseMs: 200, traceMessages: true,
    })
    await uas.ready

    const dialog = await srf.createUAC(sippUri(uas.localPort, transport), { localSdp: pcmuSdp(40012) })
    const destroyed = deferred()
    dialog.on('destroy', () => destroyed.resolve())

    const r = await uas.done
    expect(r.code, describeSipp(r)).toBe(0)
    await within(destroyed.promise, 1000, 'dialog destroy for the far end\'s BYE')
  })

  it('CANCELs a ringing call: SIPp gets the CANCEL, srf gets 487', async () => {
    const srf = await h().connectSrf()
    const uas = await startSipp({ scenario: 'uas-ring-wait-cancel.xml', transport, ports: h().ports, traceMessages: true })
    await uas.ready

    let invite: Srf.SrfRequest | undefined
    const cancelled = deferred()
    const call = srf.createUAC(sippUri(uas.localPort, transport), { localSdp: pcmuSdp(40014) }, {
      cbRequest: onRequestSent((req) => (invite = req)),
      cbProvisional: (res) => {
        if (res.status === 180 && invite) {
          invite.cancel((err) => (err ? cancelled.reject(err) : cancelled.resolve()))
        }
      },
    })

    await expect(call).rejects.toMatchObject({ status: 487 })
    await within(cancelled.promise, 1000, 'req.cancel() to send the CANCEL')
    const r = await uas.done
    expect(r.code, describeSipp(r)).toBe(0)
    expect(r.successful).toBe(1)
  })

  it('rejects createUAC with status 486 when the far end is busy', async () => {
    const srf = await h().connectSrf()
    const uas = await startSipp({ scenario: 'uas-busy-486.xml', transport, ports: h().ports, traceMessages: true })
    await uas.ready

    const call = srf.createUAC(sippUri(uas.localPort, transport), { localSdp: pcmuSdp(40016) })

    await expect(call).rejects.toMatchObject({ status: 486 })
    const r = await uas.done
    expect(r.code, describeSipp(r)).toBe(0) // the engine ACKed the 486 (RFC 3261 §17.1.1.3)
  })

  it('a 486 without a To tag: the server ACKs it, srf\'s own ACK for it is refused (not sent as a new request) and nothing is left behind', async () => {
    const srf = await h().connectSrf()
    const uas = await startSipp({ scenario: 'uas-busy-486-no-to-tag.xml', transport, ports: h().ports, pauseMs: 500, traceMessages: true })
    await uas.ready

    const call = srf.createUAC(sippUri(uas.localPort, transport), { localSdp: pcmuSdp(40018) })

    await expect(call).rejects.toMatchObject({ status: 486 })
    const r = await uas.done
    expect(r.code, describeSipp(r)).toBe(0)
    // RFC 3261 §17.1.1.3: one ACK, the transaction's. The 486's echo carries the dialog id
    // (Call-ID;from-tag) as drachtio-server gives it, so srf's ack() names that dialog and
    // gets drachtio's NOK; without it the ACK went out as a new request
    expect(r.messages.match(/^ACK /gm) ?? [], r.messages).toHaveLength(1)
  })
})
