import Srf from 'drachtio-srf'
import { describe, expect, it } from 'vitest'
import { createSipEngine } from '../../src/engine/index.js'
import { deferred, pcmuSdp, within } from '../support/engine-harness.js'
import { PortPicker } from '../support/ports.js'
import { connectB2bua } from '../support/b2bua-app.js'
import { useEngineHarness } from '../support/use-engine-harness.js'
import { describeSipp, runSipp, startSipp, type SippResult, type SippTransport } from '../support/sipp.js'
import { digestIsValid, digestParams, flowOf, parseSippTrace, type TracedMessage } from '../support/sipp-trace.js'

/** The credentials the SIPp scenarios expect (sipp-scenarios/README.md). */
const AUTH = { username: 'alice', password: 'wonderland' }
const REALM = 'livecall.test'

/** How each challenge is asked for and answered (RFC 3261 §22.2 and §22.3). */
const CHALLENGES = {
  401: { challengeHeader: 'WWW-Authenticate', credentialsHeader: 'Authorization' },
  407: { challengeHeader: 'Proxy-Authenticate', credentialsHeader: 'Proxy-Authorization' },
} as const

function sippUri(port: number, transport: SippTransport, user = 'service'): string {
  return `sip:${user}@127.0.0.1:${port}${transport === 'tcp' ? ';transport=tcp' : ''}`
}

function expectOk(r: SippResult, who: string): void {
  expect(r.code, `${who}\n${describeSipp(r)}`).toBe(0)
  expect(r.successful, who).toBe(1)
}

/** The messages SIPp received from the server under test. */
function received(r: SippResult): TracedMessage[] {
  return parseSippTrace(r.messages).filter((m) => m.dir === 'received')
}

/**
 * The retried request after a challenge, as RFC 3261 §22.2 and drachtio-srf's
 * DigestClient make it: same Call-ID and From tag, CSeq one higher, credentials valid for
 * the password; and the non-2xx ACK between the two carries the first request's CSeq
 * number (RFC 3261 §17.1.1.3, sent by the server, not the app).
 */
function expectRetried(first: TracedMessage, retry: TracedMessage, credentialsHeader: string): void {
  expect(retry.header('Call-ID')).toBe(first.header('Call-ID'))
  expect(retry.header('From')).toBe(first.header('From'))
  expect(retry.cseq.seq).toBe(first.cseq.seq + 1)
  expect(first.header(credentialsHeader)).toBeUndefined()
  const credentials = retry.header(credentialsHeader)
  expect(credentials, `${credentialsHeader} on the retried ${retry.method}`).toBeDefined()
  expect(digestParams(credentials!)).toMatchObject({ username: AUTH.username, realm: REALM })
  expect(digestIsValid(credentials!, retry.method!, AUTH.password), credentials).toBe(true)
}

/**
 * Digest authentication driven by drachtio-srf (its DigestClient answers a 401/407 by
 * sending the request again with credentials) on the server under test, SIPp as the far
 * end that challenges. The server's part: the ACK for the 401/407 (a non-2xx, so the
 * stack's, never the app's), and sending the retry exactly as srf built it.
 */
describe.each(['udp', 'tcp'] as const)('engine: digest authentication over %s', (transport) => {
  const h = useEngineHarness()

  it.each([401, 407] as const)('createUAC answers a %i challenge: ACK by the server, INVITE again with CSeq+1 and valid credentials, call up', async (code) => {
    const { credentialsHeader } = CHALLENGES[code]
    const srf = await h().connectSrf()
    const uas = await startSipp({
      scenario: 'uas-challenge-invite.xml', transport, ports: h().ports, traceMessages: true,
      extraArgs: ['-key', 'challenge', String(code)],
    })
    await uas.ready
    const provisional: number[] = []

    const dialog = await srf.createUAC(sippUri(uas.localPort, transport), { localSdp: pcmuSdp(40200), auth: AUTH }, {
      cbProvisional: (res) => provisional.push(res.status),
    })
    expect(dialog.remote.sdp).toMatch(/m=audio \d+ RTP\/AVP 0/)
    expect(provisional).toContain(180)
    await dialog.destroy()

    const r = await uas.done
    expectOk(r, `callee (challenges with ${code})`)
    const seen = received(r)
    expect(flowOf(seen)).toEqual(['INVITE', 'ACK', 'INVITE', 'ACK', 'BYE'])
    const [first, ack, retry, ack2, bye] = seen
    expect(ack.cseq).toEqual({ seq: first.cseq.seq, method: 'ACK' })
    expect(ack.header('Via')).toContain(/branch=([^;\s]+)/.exec(first.header('Via')!)![1])
    expectRetried(first, retry, credentialsHeader)
    expect(ack2.cseq.seq).toBe(retry.cseq.seq)
    expect(bye.cseq.seq).toBe(retry.cseq.seq + 1)
  })

  it('createUAC with a wrong password sees the far end\'s 403 as the rejection', async () => {
    const srf = await h().connectSrf()
    const uas = await startSipp({
      scenario: 'uas-challenge-invite.xml', transport, ports: h().ports, traceMessages: true,
      extraArgs: ['-key', 'challenge', '401'],
    })
    await uas.ready

    const call = srf.createUAC(sippUri(uas.localPort, transport), {
      localSdp: pcmuSdp(40202), auth: { username: AUTH.username, password: 'looking-glass' },
    })

    await expect(call).rejects.toMatchObject({ status: 403 })
    const r = await uas.done
    expect(r.failed, describeSipp(r)).toBe(1) // the scenario fails a call whose credentials are wrong
    expect(flowOf(received(r))).toEqual(['INVITE', 'ACK', 'INVITE', 'ACK'])
  })

  it('dialog.modify() and dialog.destroy() answer challenges inside the dialog: re-INVITE after a 401, BYE after a 407', async () => {
    const srf = await h().connectSrf()
    const uas = await startSipp({ scenario: 'uas-answer-challenge-reinvite-and-bye.xml', transport, ports: h().ports, traceMessages: true })
    await uas.ready

    const dialog = await srf.createUAC(sippUri(uas.localPort, transport), { localSdp: pcmuSdp(40204) })
    // srf's lib/dialog.js takes `auth` on modify() and destroy(); its .d.ts does not name it
    const withAuth = { auth: AUTH } as unknown as { noAck: boolean } & { headers: Record<string, string> }
    const answer = await dialog.modify(pcmuSdp(40204, 'sendonly'), withAuth)
    expect(answer).toMatch(/a=recvonly/)
    await dialog.destroy(withAuth) // srf resolves with the first BYE it sent

    const r = await uas.done
    expectOk(r, 'callee (challenges the re-INVITE with 401 and the BYE with 407)')
    const seen = received(r)
    expect(flowOf(seen)).toEqual(['INVITE', 'ACK', 'INVITE', 'ACK', 'INVITE', 'ACK', 'BYE', 'BYE'])
    const [invite, , reinvite, ack, reinvite2, ack2, bye1, bye2] = seen
    expect(reinvite.cseq.seq).toBeGreaterThan(invite.cseq.seq)
    expect(ack.cseq).toEqual({ seq: reinvite.cseq.seq, method: 'ACK' })
    expectRetried(reinvite, reinvite2, 'Authorization')
    expect(reinvite2.header('To')).toBe(reinvite.header('To')) // still in the dialog
    expect(ack2.cseq.seq).toBe(reinvite2.cseq.seq)
    expectRetried(bye1, bye2, 'Proxy-Authorization')
    expect(bye2.header('To')).toBe(bye1.header('To'))
  })

  it.each([['REGISTER', 401], ['MESSAGE', 407]] as const)('srf.request: a %s challenged with %i is sent again with credentials and the app sees the 200', async (method, code) => {
    const srf = await h().connectSrf()
    const server = await startSipp({
      scenario: 'uas-challenge-request.xml', transport, ports: h().ports, traceMessages: true,
      extraArgs: ['-key', 'challenge', String(code)],
    })
    await server.ready
    const aor = `sip:alice@127.0.0.1:${server.localPort}`
    const final = deferred<Srf.SrfResponse>()

    // srf.request(uri, opts, callback) as lib/srf.js takes it (its .d.ts names other shapes)
    const request = srf.request.bind(srf) as unknown as (uri: string, opts: object, cb: (err: unknown, req: Srf.SrfRequest) => void) => void
    request(sippUri(server.localPort, transport, 'alice'), {
      method,
      headers: {
        From: `<${aor}>`,
        To: `<${aor}>`,
        ...(method === 'REGISTER' ? { Contact: '<sip:alice@localhost>', Expires: '60' } : { 'Content-Type': 'text/plain' }),
      },
      body: method === 'MESSAGE' ? 'hello from livecall' : undefined,
      auth: AUTH,
    }, (err, req) => {
      if (err) return final.reject(err)
      ;(req as unknown as NodeJS.EventEmitter).on('response', (res: Srf.SrfResponse) => {
        if (res.status >= 200) final.resolve(res)
      })
    })

    const res = await within(final.promise, 5000, `the final response to the ${method}`)
    expect(res.status).toBe(200)
    const r = await server.done
    expectOk(r, `server (challenges the ${method} with ${code})`)
    const seen = received(r)
    expect(flowOf(seen)).toEqual([method, method])
    expectRetried(seen[0], seen[1], CHALLENGES[code].credentialsHeader)
  })

  it('createB2BUA with auth: B\'s 407 is answered on the B leg; A never sees it and gets B\'s answer', async () => {
    const b = await startSipp({
      scenario: 'uas-challenge-invite.xml', transport, ports: h().ports, traceMessages: true,
      extraArgs: ['-key', 'challenge', '407'],
    })
    await b.ready
    const app = await connectB2bua(h(), sippUri(b.localPort, transport), { auth: AUTH })

    const a = await runSipp({
      scenario: 'uac-invite-bye-expect-200.xml', target: h().sipTarget, transport, ports: h().ports, pauseMs: 300, traceMessages: true,
    })

    expectOk(a, 'A (caller)')
    const bResult = await b.done
    expectOk(bResult, 'B (challenges with 407)')
    await within(app.call, 1000, 'createB2BUA to resolve')
    expect(flowOf(received(a)).filter((m) => /^\d/.test(m))).not.toContain('407 INVITE')
    const seen = received(bResult)
    expect(flowOf(seen)).toEqual(['INVITE', 'ACK', 'INVITE', 'ACK', 'BYE'])
    expectRetried(seen[0], seen[2], 'Proxy-Authorization')
  })

  it.each([401, 407] as const)('an app that challenges with %i: the server absorbs the ACK, the caller\'s retry with credentials reaches the app as a new INVITE', async (code) => {
    const challengeHeader = code === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate'
    const { credentialsHeader } = CHALLENGES[code]
    const invites: Srf.SrfRequest[] = []
    const answered = deferred<Srf.Dialog>()
    await h().connectSrf((srf) =>
      srf.invite((req, res) => {
        invites.push(req)
        const credentials = req.get(credentialsHeader) as string | undefined
        if (!credentials) {
          res.send(code, { headers: { [challengeHeader]: `Digest realm="${REALM}", nonce="9f2c4a7e1b3d5068", algorithm=MD5` } })
          return
        }
        if (!digestIsValid(credentials, 'INVITE', AUTH.password)) {
          res.send(403)
          return
        }
        srf.createUAS(req, res, { localSdp: pcmuSdp(40206) }).then((dlg) => {
          answered.resolve(dlg)
        }, answered.reject)
      }),
    )

    const a = await runSipp({
      scenario: 'uac-invite-challenged-retry.xml', target: h().sipTarget, transport, ports: h().ports, pauseMs: 200, traceMessages: true,
    })

    expectOk(a, `caller (answers the ${code})`)
    await within(answered.promise, 1000, 'createUAS to resolve')
    expect(invites).toHaveLength(2)
    expect(invites[1].get('Call-ID')).toBe(invites[0].get('Call-ID'))
    const seqOf = (req: Srf.SrfRequest): number => Number(req.get('CSeq').split(/\s+/)[0])
    expect(seqOf(invites[1])).toBe(seqOf(invites[0]) + 1)
    const seen = received(a)
    const challenge = seen.find((m) => m.status === code)
    expect(challenge?.header(challengeHeader)).toContain(`realm="${REALM}"`)
    expect(seen.filter((m) => m.status === 100), 'a 100 Trying for each INVITE').toHaveLength(2)
  })
})

/**
 * The engine's own clean-up (docs/engine/auth-and-redirects.md): a dialog whose BYE got a
 * 401/407 waits 64·T1 for the app's BYE with credentials, then goes. Embedded engine only,
 * with T1 = 50 ms so that 64·T1 is 3.2 s.
 */
describe.skipIf(!!process.env.DRACHTIO_HOST)('engine: a challenged BYE that the app never sends again', () => {
  it('the dialog is kept 64·T1 for the BYE with credentials, then removed; nothing is left', async () => {
    const ports = new PortPicker()
    const [sipPort, drachtioPort] = await ports.pickMany(2)
    const engine = createSipEngine({ sipHost: '127.0.0.1', sipPort, drachtioPort, drachtioSecret: 'cymru', timers: { T1: 50 } })
    await engine.start()
    const srf = new Srf()
    srf.on('error', () => undefined)
    try {
      await new Promise<void>((resolve, reject) => {
        srf.on('connect', (err: Error | null) => (err ? reject(err) : resolve()))
        void srf.connect({ host: '127.0.0.1', port: drachtioPort, secret: 'cymru' })
      })
      const uas = await startSipp({
        scenario: 'uas-answer-challenge-reinvite-and-bye.xml', transport: 'tcp', ports, traceMessages: true, recvTimeoutMs: 1000,
      })
      await uas.ready
      const dialog = await srf.createUAC(sippUri(uas.localPort, 'tcp'), { localSdp: pcmuSdp(40208) })
      const withAuth = { auth: AUTH } as unknown as { noAck: boolean }
      await dialog.modify(pcmuSdp(40208, 'sendonly'), withAuth)
      await dialog.destroy() // no credentials: srf takes the 407 as the BYE's answer

      expect(engine.counts().dialogs, 'kept for a BYE with credentials').toBe(1)
      const r = await uas.done
      expect(r.failed, describeSipp(r)).toBe(1) // it waited for a BYE with credentials in vain
      const deadline = Date.now() + 64 * 50 + 2000
      while (engine.counts().dialogs > 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50))
      expect(engine.counts()).toMatchObject({ dialogs: 0, transactions: 0, pendingRequests: 0 })
    } finally {
      srf.disconnect()
      await engine.stop()
    }
  }, 20_000)
})
