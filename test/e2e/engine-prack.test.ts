import type Srf from 'drachtio-srf'
import { describe, expect, it } from 'vitest'
import { deferred, pcmuSdp, within } from '../support/engine-harness.js'
import { connectB2bua } from '../support/b2bua-app.js'
import { useEngineHarness } from '../support/use-engine-harness.js'
import { describeSipp, runSipp, startSipp, type SippResult, type SippTransport } from '../support/sipp.js'

function sippUri(port: number, transport: SippTransport): string {
  return `sip:service@127.0.0.1:${port}${transport === 'tcp' ? ';transport=tcp' : ''}`
}

function expectOk(r: SippResult, who: string): void {
  expect(r.code, `${who}\n${describeSipp(r)}`).toBe(0)
  expect(r.successful, who).toBe(1)
}

/** The first line of every SIP message in a SIPp trace, in order (requests and responses with their CSeq method). */
function flow(messages: string): string[] {
  const out: string[] = []
  for (const block of messages.split(/\n(?=(?:[A-Z]+ \S+ SIP\/2\.0|SIP\/2\.0 \d{3})[^\n]*\n)/)) {
    const start = /^(?:([A-Z]+) \S+ SIP\/2\.0|SIP\/2\.0 (\d{3}))/m.exec(block)
    const cseq = /^CSeq:\s*\d+\s+(\w+)/im.exec(block)
    if (start) out.push(start[1] ?? `${start[2]} ${cseq?.[1] ?? ''}`)
  }
  return out
}

/**
 * RFC 3262 reliable provisional responses through drachtio-srf on the engine, as
 * drachtio-server does them: the app asks with `Require: 100rel` on its 1xx and the
 * server adds RSeq, retransmits until the PRACK and passes the PRACK to the app; as a
 * UAC the server passes the reliable 1xx up and sends the PRACK srf's `ack()` builds.
 */
describe.each(['udp', 'tcp'] as const)('engine: reliable provisional responses (PRACK) over %s', (transport) => {
  const h = useEngineHarness()

  it.each(['Supported', 'Require'])('createUAS: a caller with %s: 100rel gets the 183 with RSeq, PRACKs it, and the 200 follows the PRACK', async (rel) => {
    const prack = deferred<Srf.SrfRequest>()
    const answered = deferred<Srf.Dialog>()
    await h().connectSrf((srf) => {
      srf.invite((req, res) => {
        // srf calls the 5th argument with the PRACK (and answers the PRACK 200 itself);
        // the app answers the call once its 183 is PRACKed, as srf's createB2BUA does
        const onPrack = (pr: Srf.SrfRequest): void => {
          prack.resolve(pr)
          srf.createUAS(req, res, { localSdp: pcmuSdp(40100) }).then(answered.resolve, answered.reject)
        }
        const send = res.send.bind(res) as unknown as (...args: unknown[]) => void
        send(183, 'Session Progress', { headers: { Require: '100rel' }, body: pcmuSdp(40100) }, undefined, onPrack)
      })
    })

    const r = await runSipp({
      scenario: 'uac-invite-100rel-prack-bye.xml', target: h().sipTarget, transport, ports: h().ports,
      pauseMs: 200, traceMessages: true, extraArgs: ['-key', 'rel', rel],
    })

    expectOk(r, 'caller')
    expect(r.messages).toMatch(/^RSeq:\s*\d+/mi)
    expect(r.messages).toMatch(/^Require:\s*100rel/mi)
    const seen = flow(r.messages)
    expect(seen.indexOf('PRACK'), seen.join(' → ')).toBeLessThan(seen.indexOf('200 INVITE'))
    expect(seen, 'the 183 is sent once: its PRACK came at once').toEqual(expect.arrayContaining(['183 INVITE', '200 PRACK']))
    expect((await within(prack.promise, 1000, 'the PRACK at the app')).get('RAck')).toMatch(/^\d+ 1 INVITE$/)
    await within(answered.promise, 1000, 'createUAS to resolve')
  })

  it('createUAC: a callee\'s reliable 183 is PRACKed with its RAck and the call completes', async () => {
    const srf = await h().connectSrf()
    const uas = await startSipp({ scenario: 'uas-reliable-183-expect-prack.xml', transport, ports: h().ports, traceMessages: true })
    await uas.ready
    const provisional = deferred<Srf.SrfResponse>()

    const dialog = await srf.createUAC(sippUri(uas.localPort, transport), {
      localSdp: pcmuSdp(40102), headers: { Supported: '100rel' },
    }, { cbProvisional: (res) => provisional.resolve(res) })
    const p = await within(provisional.promise, 1000, 'the 183 at the app')
    expect(p.status).toBe(183)
    expect(p.get('RSeq')).toBe('1')
    expect(dialog.remote.sdp).toMatch(/m=audio \d+ RTP\/AVP 0/)
    dialog.destroy()

    expectOk(await uas.done, 'callee (checks RAck: 1 <cseq> INVITE)')
  })

  it('createB2BUA: the caller\'s PRACK reaches the app, the callee\'s 183 is PRACKed, the call is bridged', async () => {
    const b = await startSipp({ scenario: 'uas-reliable-183-expect-prack.xml', transport, ports: h().ports, traceMessages: true })
    await b.ready
    const app = await connectB2bua(h(), sippUri(b.localPort, transport), {
      proxyRequestHeaders: ['Supported'],
      // srf counts the caller's PRACKs when the relayed 1xx carries `require: 100rel`
      // (srf passes the response object, not the headers its .d.ts names)
      responseHeaders: ((uacRes: Srf.SrfResponse) => (uacRes.has('RSeq') ? { require: '100rel' } : {})) as unknown as Srf.CreateB2BUAOptions['responseHeaders'],
    })

    const a = await runSipp({
      scenario: 'uac-invite-100rel-prack-bye.xml', target: h().sipTarget, transport, ports: h().ports,
      pauseMs: 300, traceMessages: true, extraArgs: ['-key', 'rel', 'Supported'],
    })

    expectOk(a, 'A (caller, PRACKs our 183)')
    expectOk(await b.done, 'B (callee, expects our PRACK)')
    expect(a.messages).not.toMatch(/^SIP\/2\.0 481 /m)
    await within(app.call, 1000, 'createB2BUA to resolve')
  })
})
