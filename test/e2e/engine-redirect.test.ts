import type Srf from 'drachtio-srf'
import { describe, expect, it } from 'vitest'
import { deferred, pcmuSdp, within } from '../support/engine-harness.js'
import { connectB2bua } from '../support/b2bua-app.js'
import { useEngineHarness } from '../support/use-engine-harness.js'
import { describeSipp, runSipp, startSipp, type SippResult, type SippTransport } from '../support/sipp.js'
import { flowOf, parseSippTrace, type TracedMessage } from '../support/sipp-trace.js'

function sippUri(port: number, transport: SippTransport, user = 'service'): string {
  return `sip:${user}@127.0.0.1:${port}${transport === 'tcp' ? ';transport=tcp' : ''}`
}

function expectOk(r: SippResult, who: string): void {
  expect(r.code, `${who}\n${describeSipp(r)}`).toBe(0)
  expect(r.successful, who).toBe(1)
}

/** srf's lib/srf.js takes `followRedirects` on createUAC/createB2BUA; its .d.ts does not name it. */
function following<T>(opts: T): T {
  return { ...opts, followRedirects: true }
}

function received(r: SippResult): TracedMessage[] {
  return parseSippTrace(r.messages).filter((m) => m.dir === 'received')
}

/**
 * 3xx responses as drachtio-srf handles them on the server under test (RFC 3261 §8.1.3.4):
 * the server ACKs the 302 itself (a non-2xx, RFC 3261 §17.1.1.3); with `followRedirects`
 * srf sends a new INVITE to the Contact, without it the app sees the 302 as the call's
 * rejection. SIPp plays the redirect server (B1) and the target (B2).
 */
describe.each(['udp', 'tcp'] as const)('engine: redirects (3xx) over %s', (transport) => {
  const h = useEngineHarness()

  /** B2 (answers, waits for BYE) and B1 (redirects to B2). */
  async function redirectPair(b2Scenario = 'uas-answer-wait-bye.xml') {
    const b2 = await startSipp({ scenario: b2Scenario, transport, ports: h().ports, traceMessages: true })
    const target = sippUri(b2.localPort, transport, 'moved')
    const b1 = await startSipp({
      scenario: 'uas-redirect-302.xml', transport, ports: h().ports, traceMessages: true, extraArgs: ['-key', 'redirect', target],
    })
    await Promise.all([b1.ready, b2.ready])
    return { b1, b2, target }
  }

  /** What B1 saw: the INVITE and the server's ACK for the 302 (same CSeq number, same branch), nothing else. */
  function expectRedirectAcked(b1: SippResult): TracedMessage {
    expectOk(b1, 'B1 (redirects)')
    const seen = received(b1)
    expect(flowOf(seen)).toEqual(['INVITE', 'ACK'])
    const [invite, ack] = seen
    expect(ack.cseq).toEqual({ seq: invite.cseq.seq, method: 'ACK' })
    expect(ack.header('Via')).toContain(/branch=([^;\s]+)/.exec(invite.header('Via')!)![1])
    return invite
  }

  it('createUAC with followRedirects: the 302 is ACKed by the server and srf calls the Contact, where the call is answered', async () => {
    const srf = await h().connectSrf()
    const { b1, b2, target } = await redirectPair()

    const dialog = await srf.createUAC(sippUri(b1.localPort, transport), following<Srf.CreateUACOptions>({ localSdp: pcmuSdp(40300) }))
    expect(dialog.remote.sdp).toMatch(/m=audio \d+ RTP\/AVP 0/)
    await dialog.destroy()

    const first = expectRedirectAcked(await b1.done)
    const b2Result = await b2.done
    expectOk(b2Result, 'B2 (the Contact of the 302)')
    const [invite] = received(b2Result)
    expect(invite.method).toBe('INVITE')
    expect(invite.uri).toBe(target) // the Request-URI is the Contact (RFC 3261 §8.1.3.4)
    expect(invite.header('Call-ID')).not.toBe(first.header('Call-ID')) // srf starts a new call
  })

  it('createUAC with followRedirects and keepUriOnRedirect: the new INVITE keeps the Request-URI and goes to the Contact as its next hop', async () => {
    const srf = await h().connectSrf()
    const { b1, b2 } = await redirectPair()
    const original = sippUri(b1.localPort, transport)

    const dialog = await srf.createUAC(original, following<Srf.CreateUACOptions>({
      localSdp: pcmuSdp(40304), ...({ keepUriOnRedirect: true } as object),
    }))
    await dialog.destroy()

    expectRedirectAcked(await b1.done)
    const b2Result = await b2.done
    expectOk(b2Result, 'B2 (reached as the next hop)')
    expect(received(b2Result)[0].uri).toBe(original)
  })

  it('createUAC without followRedirects rejects with the 302 and its Contact; the app\'s ACK for it is refused, only the server\'s goes out', async () => {
    const srf = await h().connectSrf()
    const { b1, b2, target } = await redirectPair()

    const call = srf.createUAC(sippUri(b1.localPort, transport), { localSdp: pcmuSdp(40302) })

    const err = await call.then(() => undefined, (e: { status?: number; res?: Srf.SrfResponse }) => e)
    expect(err).toMatchObject({ name: 'SipError', status: 302 })
    expect(err?.res?.get('Contact')).toBe(`<${target}>`)
    expectRedirectAcked(await b1.done)
    const b2Result = await b2.stop()
    expect(received(b2Result), 'B2 is never called').toEqual([])
  })

  it('createB2BUA with followRedirects: B1\'s 302 is followed to B2 and A is bridged to B2', async () => {
    const { b1, b2, target } = await redirectPair()
    const app = await connectB2bua(h(), sippUri(b1.localPort, transport), following<Srf.CreateB2BUAOptions>({}))

    const a = await runSipp({
      scenario: 'uac-invite-bye-expect-200.xml', target: h().sipTarget, transport, ports: h().ports, pauseMs: 300, traceMessages: true,
    })

    expectOk(a, 'A (caller)')
    expect(flowOf(received(a)), 'A sees no 3xx').not.toContain('302 INVITE')
    expectRedirectAcked(await b1.done)
    const b2Result = await b2.done
    expectOk(b2Result, 'B2')
    expect(received(b2Result)[0].uri).toBe(target)
    const { uas, uac } = await within(app.call, 1000, 'createB2BUA to resolve')
    expect(uas.local.sdp).toBe(uac.remote.sdp)
  })

  it('createB2BUA without followRedirects passes the 302 to A, with B1\'s Contact when the app proxies it', async () => {
    const { b1, b2, target } = await redirectPair()
    const failed = deferred<{ status?: number }>()
    await h().connectSrf((srf) =>
      srf.invite((req, res) => {
        srf.createB2BUA(req, res, sippUri(b1.localPort, transport), { localSdpB: req.body, proxyResponseHeaders: ['Contact'] })
          .then(() => failed.reject(new Error('createB2BUA resolved')), failed.resolve)
      }),
    )

    const a = await runSipp({
      scenario: 'uac-invite-expect-302.xml', target: h().sipTarget, transport, ports: h().ports, traceMessages: true,
    })

    expectOk(a, 'A (expects the 302)')
    expect(await within(failed.promise, 1000, 'createB2BUA to reject')).toMatchObject({ status: 302 })
    const redirect = received(a).find((m) => m.status === 302)
    expect(redirect?.header('Contact')).toBe(`<${target}>`)
    expectRedirectAcked(await b1.done)
    expect(received(await b2.stop()), 'B2 is never called').toEqual([])
  })
})
