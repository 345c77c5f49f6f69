import type Srf from 'drachtio-srf'
import { describe, expect, it } from 'vitest'
import { deferred, type EngineHarness, ServerUnderTest, within } from '../support/engine-harness.js'
import { useEngineHarness } from '../support/use-engine-harness.js'
import { describeSipp, runSipp, startSipp, type SippResult, type SippTransport } from '../support/sipp.js'

/** What srf's `proxyRequest()` resolves with (request.js `proxy`). */
interface ProxyResult {
  connected: boolean
  finalStatus?: number
  finalResponse?: { status: number }
  responses: Array<{ address: string; port: number; msgs: Array<{ status: number }> }>
}

interface ProxyOptions {
  forking?: 'sequential' | 'simultaneous'
  recordRoute?: boolean
  followRedirects?: boolean
  provisionalTimeout?: string
  /** set on every forwarded request (srf passes them in the proxy command's SIP part) */
  headers?: Record<string, string>
}

/**
 * An unmodified drachtio-srf app that proxies every request of `method` to `destinations`
 * with `srf.proxyRequest()` (callback form), as the srf docs show it.
 */
async function connectProxy(h: EngineHarness, method: 'invite' | 'message', destinations: string[], opts: ProxyOptions = {}) {
  const result = deferred<ProxyResult>()
  const failed = deferred<unknown>()
  await h.connectSrf((srf) => {
    const on = (srf as unknown as Record<string, (cb: (req: Srf.SrfRequest) => void) => void>)[method].bind(srf)
    on((req) =>
      srf.proxyRequest(req, destinations, opts, (err: unknown, results: unknown) => {
        if (err) failed.resolve(err)
        else result.resolve(results as ProxyResult)
      }),
    )
  })
  return { result: result.promise, failed: failed.promise }
}

/** One SIP message out of SIPp's -trace_msg log, as SIPp saw it. */
interface Traced {
  dir: 'sent' | 'received'
  start: string
  /** every value of a header, lower-case name */
  all(name: string): string[]
}

function traced(r: SippResult): Traced[] {
  const out: Traced[] = []
  for (const block of r.messages.split(/^-{20,}[^\n]*\n/m)) {
    const head = /^[^\n]*message (received|sent)[^\n]*\n/.exec(block)
    if (!head) continue
    const text = block.slice(head[0].length).replace(/\r/g, '').replace(/^\s*\n/, '')
    const [start, ...lines] = text.split('\n\n', 1)[0].split('\n')
    out.push({
      dir: head[1] as 'sent' | 'received',
      start: start.trim(),
      all: (name) =>
        lines
          .map((l) => /^([^:]+):\s*(.*)$/.exec(l.trim()))
          .filter((m): m is RegExpExecArray => !!m && m[1].trim().toLowerCase() === name)
          .flatMap((m) => m[2].split(/,(?![^<]*>)/).map((v) => v.trim())),
    })
  }
  return out
}

/** The first message SIPp received whose start line begins with `start` (`INVITE`, `SIP/2.0 200`). */
function received(r: SippResult, start: string): Traced {
  const m = traced(r).find((t) => t.dir === 'received' && t.start.startsWith(start))
  if (!m) throw new Error(`SIPp never received ${start}\n${describeSipp(r)}`)
  return m
}

function expectOk(r: SippResult, leg: string): void {
  expect(r.code, `${leg}\n${describeSipp(r)}`).toBe(0)
  expect(r.successful, leg).toBe(1)
}

function uri(port: number, transport: SippTransport): string {
  return `sip:127.0.0.1:${port}${transport === 'tcp' ? ';transport=tcp' : ''}`
}

/** srf.proxyRequest() on the server under test; SIPp as the caller and as the callee(s). */
describe.each(['udp', 'tcp'] as const)('engine: srf proxyRequest over %s', (transport) => {
  const h = useEngineHarness()
  const ourRecordRoute = () => `<sip:${h().sipTarget}${transport === 'tcp' ? ';transport=tcp' : ''};lr>`

  function callee(scenario: string, opts: { pauseMs?: number; extraArgs?: string[] } = {}) {
    return startSipp({ scenario, transport, ports: h().ports, traceMessages: true, pauseMs: opts.pauseMs, extraArgs: opts.extraArgs })
  }

  function caller(scenario: string, opts: { pauseMs?: number; extraArgs?: string[] } = {}) {
    return runSipp({ scenario, target: h().sipTarget, transport, ports: h().ports, traceMessages: true, pauseMs: opts.pauseMs, extraArgs: opts.extraArgs })
  }

  it('Record-Route: the callee sees our Via on top, Max-Forwards 69 and our Record-Route; ACK and BYE pass through us', async () => {
    const b = await callee('uas-proxied-answer-wait-bye.xml')
    await b.ready
    const app = await connectProxy(h(), 'invite', [uri(b.localPort, transport)], { recordRoute: true })
    const a = await caller('uac-invite-bye-expect-200.xml', { pauseMs: 300 })
    const bResult = await b.done
    expectOk(a, 'A (caller)')
    expectOk(bResult, 'B (callee)')

    const invite = received(bResult, 'INVITE')
    expect(invite.start).toBe(`INVITE ${uri(b.localPort, transport)} SIP/2.0`)
    expect(invite.all('via')).toHaveLength(2)
    expect(invite.all('via')[0]).toContain(h().sipTarget)
    expect(invite.all('max-forwards')).toEqual(['69'])
    expect(invite.all('record-route')).toEqual([ourRecordRoute()])
    expect(received(a, 'SIP/2.0 200').all('record-route')).toEqual([ourRecordRoute()])
    expect(received(a, 'SIP/2.0 200').all('via')).toHaveLength(1)
    // the ACK and the BYE came through us (loose routing): two Vias, our Route removed
    for (const m of ['ACK', 'BYE']) {
      expect(received(bResult, m).all('via'), m).toHaveLength(2)
      expect(received(bResult, m).all('route'), m).toEqual([])
    }

    const result = await within(app.result, 2000, 'proxyRequest to resolve')
    expect(result).toMatchObject({ connected: true, finalStatus: 200 })
    expect(result.responses.flatMap((r) => r.msgs.map((m) => m.status))).toEqual([200])
  })

  it('Record-Route: the callee\'s BYE reaches the caller through us, and the 200 goes back the same way', async () => {
    const b = await callee('uas-proxied-answer-send-bye.xml', { pauseMs: 300 })
    await b.ready
    const app = await connectProxy(h(), 'invite', [uri(b.localPort, transport)], { recordRoute: true })
    const a = await caller('uac-invite-expect-bye.xml')
    const bResult = await b.done
    expectOk(a, 'A (caller)')
    expectOk(bResult, 'B (callee)')
    const bye = received(a, 'BYE')
    expect(bye.all('via')).toHaveLength(2)
    expect(bye.all('route')).toEqual([])
    // forwarded statelessly with Max-Forwards as it came, as a real drachtio-server does
    expect(bye.all('max-forwards')).toEqual(['70'])
    expect(received(bResult, 'SIP/2.0 200').all('via')).toHaveLength(1)
    expect(await within(app.result, 2000, 'proxyRequest to resolve')).toMatchObject({ connected: true, finalStatus: 200 })
  })

  it('a challenge goes back to the caller, and its retry with credentials goes to the destination that challenged', async () => {
    const challenger = await callee('uas-challenge-request.xml', { extraArgs: ['-key', 'challenge', '407'] })
    await challenger.ready
    const nobody = await h().ports.pick()
    // the app names the challenger for the first MESSAGE and somebody else for the retry:
    // drachtio-server sends the retry to the challenger all the same (`isResponseToChallenge`)
    const results: ProxyResult[] = []
    let n = 0
    await h().connectSrf((srf) => {
      const app = srf as unknown as { message(cb: (req: Srf.SrfRequest) => void): void }
      app.message((req) => {
        const to = n++ === 0 ? uri(challenger.localPort, transport) : uri(nobody, transport)
        srf.proxyRequest(req, [to], {}, (err: unknown, r: unknown) => {
          if (!err) results.push(r as ProxyResult)
        })
      })
    })
    const a = await caller('uac-message-challenged-retry.xml')
    expectOk(a, 'A (sender)')
    expectOk(await challenger.done, 'challenging recipient')
    expect(received(a, 'SIP/2.0 407').all('proxy-authenticate').join(', ')).toMatch(/^Digest realm="livecall.test", nonce=/)
    const deadline = Date.now() + 2000
    while (results.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(results.map((r) => r.finalStatus)).toEqual([407, 200])
  })

  it('CDRs carry the proxy roles: start proxy-uac (network) and proxy-uas (application), a stop pair for the BYE', async (ctx) => {
    // a real drachtio-server writes CDRs only with <cdrs>true</cdrs> configured
    if (h().server !== ServerUnderTest.Embedded) ctx.skip()
    const b = await callee('uas-proxied-answer-wait-bye.xml')
    await b.ready
    const cdrs: string[] = []
    await h().connectSrf((srf) => {
      srf.on('cdr:attempt', (source: string) => cdrs.push(`attempt ${source}`))
      srf.on('cdr:start', (source: string, _time: string, role: string) => cdrs.push(`start ${source} ${role}`))
      srf.on('cdr:stop', (source: string, _time: string, reason: string) => cdrs.push(`stop ${source} ${reason}`))
    })
    const app = await connectProxy(h(), 'invite', [uri(b.localPort, transport)], { recordRoute: true })
    const a = await caller('uac-invite-bye-expect-200.xml', { pauseMs: 200 })
    expectOk(a, 'A (caller)')
    expectOk(await b.done, 'B (callee)')
    await within(app.result, 2000, 'proxyRequest to resolve')
    const deadline = Date.now() + 2000
    while (cdrs.length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(cdrs).toEqual([
      'attempt network',
      'attempt application',
      'start network proxy-uac',
      'start application proxy-uas',
      'stop network normal-release',
      'stop application normal-release',
    ])
  })

  it('Record-Route: a reliable 183 reaches the caller, whose PRACK goes through us to the callee (RFC 3262)', async () => {
    const b = await callee('uas-proxied-reliable-183-expect-prack.xml')
    await b.ready
    const app = await connectProxy(h(), 'invite', [uri(b.localPort, transport)], { recordRoute: true })
    const a = await caller('uac-invite-100rel-prack-bye.xml', { pauseMs: 200, extraArgs: ['-key', 'rel', 'Supported'] })
    const bResult = await b.done
    expectOk(bResult, 'B (callee)')
    expectOk(a, 'A (caller)')
    expect(received(a, 'SIP/2.0 183').all('rseq')).toHaveLength(1)
    expect(received(bResult, 'PRACK').all('via')).toHaveLength(2)
    expect(await within(app.result, 2000, 'proxyRequest to resolve')).toMatchObject({ connected: true, finalStatus: 200 })
  })

  // Over TCP a SIPp caller cannot send its ACK and BYE anywhere but down its one
  // connection to us (setdest needs -t tn, whose per-call sockets SIPp then mixes up), so
  // the end-to-end leg of this flow is a UDP test only (it is not defined for TCP, rather
  // than reported skipped there); the proxying is the same.
  if (transport === 'udp') it('without Record-Route the 200 carries none, and ACK and BYE go end to end', async () => {
    const b = await callee('uas-answer-expect-direct-bye.xml')
    await b.ready
    const app = await connectProxy(h(), 'invite', [uri(b.localPort, transport)])
    const a = await caller('uac-invite-direct-ack-bye.xml', { pauseMs: 200 })
    const bResult = await b.done
    expectOk(a, 'A (caller)')
    expectOk(bResult, 'B (callee)')
    expect(received(bResult, 'INVITE').all('record-route')).toEqual([])
    expect(received(a, 'SIP/2.0 200').all('record-route')).toEqual([])
    expect(received(bResult, 'ACK').all('via')).toHaveLength(1)
    expect(received(bResult, 'BYE').all('via')).toHaveLength(1)
    expect(await within(app.result, 2000, 'proxyRequest to resolve')).toMatchObject({ connected: true, finalStatus: 200 })
  })

  it('simultaneous forking: a busy callee and one that answers; the caller gets the 200', async () => {
    const busy = await callee('uas-busy-486.xml')
    const answers = await callee('uas-proxied-answer-wait-bye.xml', { pauseMs: 300 })
    await Promise.all([busy.ready, answers.ready])
    const app = await connectProxy(h(), 'invite', [uri(busy.localPort, transport), uri(answers.localPort, transport)], {
      forking: 'simultaneous', recordRoute: true,
    })
    const a = await caller('uac-invite-bye-expect-200.xml', { pauseMs: 200 })
    expectOk(a, 'A (caller)')
    expectOk(await busy.done, 'busy callee')
    expectOk(await answers.done, 'answering callee')
    const result = await within(app.result, 2000, 'proxyRequest to resolve')
    expect(result).toMatchObject({ connected: true, finalStatus: 200 })
    expect(result.responses.flatMap((r) => r.msgs.map((m) => m.status))).toEqual([486, 200])
  })

  it('simultaneous forking: both ring, one answers, the other gets CANCEL', async () => {
    const rings = await callee('uas-proxied-ring-wait-cancel.xml')
    const answers = await callee('uas-proxied-answer-wait-bye.xml', { pauseMs: 500 })
    await Promise.all([rings.ready, answers.ready])
    const app = await connectProxy(h(), 'invite', [uri(rings.localPort, transport), uri(answers.localPort, transport)], {
      forking: 'simultaneous', recordRoute: true,
    })
    const a = await caller('uac-invite-bye-expect-200.xml', { pauseMs: 200 })
    expectOk(a, 'A (caller)')
    expectOk(await answers.done, 'answering callee')
    const ringsResult = await rings.done
    expectOk(ringsResult, 'ringing callee (CANCELed)')
    // the CANCEL carries the branch of the INVITE we sent it (RFC 3261 §9.1)
    expect(received(ringsResult, 'CANCEL').all('via')).toEqual(received(ringsResult, 'INVITE').all('via').slice(0, 1))
    expect(received(a, 'SIP/2.0 180').start).toMatch(/^SIP\/2\.0 180/)
    expect(await within(app.result, 2000, 'proxyRequest to resolve')).toMatchObject({ connected: true, finalStatus: 200 })
  })

  it('sequential forking: the second destination is tried after the first one\'s 486', async () => {
    const busy = await callee('uas-busy-486.xml')
    const answers = await callee('uas-proxied-answer-wait-bye.xml')
    await Promise.all([busy.ready, answers.ready])
    const app = await connectProxy(h(), 'invite', [uri(busy.localPort, transport), uri(answers.localPort, transport)], { recordRoute: true })
    const a = await caller('uac-invite-bye-expect-200.xml', { pauseMs: 200 })
    expectOk(a, 'A (caller)')
    expectOk(await busy.done, 'busy callee')
    expectOk(await answers.done, 'answering callee')
    expect(traced(a).some((m) => m.start.startsWith('SIP/2.0 486')), 'the 486 is not passed to the caller').toBe(false)
    const result = await within(app.result, 2000, 'proxyRequest to resolve')
    expect(result).toMatchObject({ connected: true, finalStatus: 200 })
    // srf groups responses by address and port with a bug of its own (request.js compares
    // `port ===`): only the statuses in order are meaningful
    expect(result.responses.flatMap((r) => r.msgs.map((m) => m.status))).toEqual([486, 200])
    expect(result.responses[0]).toMatchObject({ address: '127.0.0.1', port: busy.localPort })
  })

  it('when every callee fails the caller gets the best response (RFC 3261 §16.7: 603 over 486)', async () => {
    const busy = await callee('uas-busy-486.xml')
    const declines = await callee('uas-decline-603.xml')
    await Promise.all([busy.ready, declines.ready])
    const app = await connectProxy(h(), 'invite', [uri(busy.localPort, transport), uri(declines.localPort, transport)], { forking: 'simultaneous' })
    const a = await caller('uac-invite-expect-603.xml')
    expectOk(a, 'A (caller)')
    expectOk(await busy.done, 'busy callee')
    expectOk(await declines.done, 'declining callee')
    expect(traced(a).some((m) => m.start.startsWith('SIP/2.0 486')), 'only the best response goes upstream').toBe(false)
    const result = await within(app.result, 2000, 'proxyRequest to resolve')
    expect(result.connected).toBe(false)
    expect(result.responses.flatMap((r) => r.msgs.map((m) => m.status)).sort()).toEqual([486, 603])
  })

  it('provisionalTimeout: a destination that never answers is given up and the next one answers', async () => {
    const answers = await callee('uas-proxied-answer-wait-bye.xml')
    await answers.ready
    const silent = await h().ports.pick() // nobody listens there
    const app = await connectProxy(h(), 'invite', [uri(silent, transport), uri(answers.localPort, transport)], {
      provisionalTimeout: '300ms', recordRoute: true,
    })
    const a = await caller('uac-invite-bye-expect-200.xml', { pauseMs: 200 })
    expectOk(a, 'A (caller)')
    expectOk(await answers.done, 'answering callee')
    const result = await within(app.result, 2000, 'proxyRequest to resolve')
    expect(result).toMatchObject({ connected: true, finalStatus: 200 })
    expect(result.responses.flatMap((r) => r.msgs.map((m) => m.status))).toEqual([200])
  })

  it('followRedirects: a 302\'s Contact is tried next and answers', async () => {
    const answers = await callee('uas-proxied-answer-wait-bye.xml')
    await answers.ready
    const redirects = await callee('uas-proxy-redirect-302.xml', { extraArgs: ['-key', 'proxy_redirect', uri(answers.localPort, transport)] })
    await redirects.ready
    const app = await connectProxy(h(), 'invite', [uri(redirects.localPort, transport)], { followRedirects: true, recordRoute: true })
    const a = await caller('uac-invite-bye-expect-200.xml', { pauseMs: 200 })
    expectOk(a, 'A (caller)')
    expectOk(await redirects.done, 'redirecting callee')
    const answered = await answers.done
    expectOk(answered, 'answering callee')
    expect(received(answered, 'INVITE').start).toBe(`INVITE ${uri(answers.localPort, transport)} SIP/2.0`)
    const result = await within(app.result, 2000, 'proxyRequest to resolve')
    expect(result).toMatchObject({ connected: true, finalStatus: 200 })
    expect(result.responses.flatMap((r) => r.msgs.map((m) => m.status))).toEqual([302, 200])
  })

  it('the caller\'s CANCEL reaches the ringing callee; the caller gets 487 and the app finalStatus 487', async () => {
    const b = await callee('uas-proxied-ring-wait-cancel.xml')
    await b.ready
    const app = await connectProxy(h(), 'invite', [uri(b.localPort, transport)])
    const a = await caller('uac-cancel-after-180-expect-487.xml')
    expectOk(a, 'A (caller)')
    expectOk(await b.done, 'B (callee)')
    expect(await within(app.result, 2000, 'proxyRequest to resolve')).toMatchObject({ connected: false, finalStatus: 487 })
  })

  it('Max-Forwards 0: the caller gets 483 and proxyRequest rejects', async () => {
    const app = await connectProxy(h(), 'invite', ['sip:127.0.0.1:9;transport=udp'])
    const a = await caller('uac-invite-max-forwards-0-expect-483.xml')
    expectOk(a, 'A (caller)')
    expect(await within(app.failed, 2000, 'proxyRequest to reject')).toBe('Rejected with 483 Too Many Hops due to Max-Forwards value of 0')
  })

  it('a MESSAGE is proxied (non-INVITE): one more Via, Max-Forwards 69, the app\'s header, the 200 back to the caller', async () => {
    const b = await callee('uas-message-200.xml')
    await b.ready
    const app = await connectProxy(h(), 'message', [uri(b.localPort, transport)], { headers: { 'X-Proxied-By': 'livecall' } })
    const a = await caller('uac-message-expect-200.xml')
    const bResult = await b.done
    expectOk(a, 'A (sender)')
    expectOk(bResult, 'B (recipient)')
    const message = received(bResult, 'MESSAGE')
    expect(message.all('via')).toHaveLength(2)
    expect(message.all('max-forwards')).toEqual(['69'])
    expect(message.all('x-proxied-by')).toEqual(['livecall'])
    expect(received(a, 'SIP/2.0 200').all('via')).toHaveLength(1)
    expect(await within(app.result, 2000, 'proxyRequest to resolve')).toMatchObject({ connected: true, finalStatus: 200 })
  })
})
