import { readFileSync } from 'node:fs'
import type Srf from 'drachtio-srf'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { deferred, pcmuSdp, ServerUnderTest, within } from '../support/engine-harness.js'
import { TestDnsServer } from '../support/dns-server.js'
import { buildResponse, newTag } from '../support/sip-message.js'
import { TlsSipPeer, tlsFixture } from '../support/tls-sip-peer.js'
import { describeSipp, startSipp, type SippRun, type SippTransport } from '../support/sipp.js'
import { useEngineHarness } from '../support/use-engine-harness.js'

/**
 * RFC 3263 target resolution on the embedded engine: unmodified drachtio-srf apps dial
 * names (`sip:service@carrier.example.net`) that only the test's own DNS server on
 * loopback knows (NAPTR, SRV, A), with SIPp UAS callees on loopback ports (and TLS peers
 * for sips:). T1 is 50 ms here, so Timer B (64·T1) is 3.2 s and a dead UDP target fails
 * over quickly. TLS targets are verified against the test CA (SIP_TLS_VERIFY=peer).
 * Against an external drachtio-server they run only when TEST_DNS_PORT names the port its
 * resolver asks: drachtio-server has no DNS option, sofia reads /etc/resolv.conf, so the
 * server must be started with one of its own (`nameserver 127.0.0.1` and sofia's `port`
 * line, e.g. in a private mount namespace) and with T1 = 50 ms (docs/engine/dns.md).
 */

const T1 = 50
const dns = new TestDnsServer()
/** the port an external drachtio-server's resolver asks (its resolv.conf `port`); 0: none */
const EXTERNAL_DNS_PORT = Number(process.env.TEST_DNS_PORT ?? 0)
beforeAll(async () => {
  await dns.start(EXTERNAL_DNS_PORT) // the embedded engine's harness has started it already
})
afterAll(async () => {
  await dns.stop()
})

const h = useEngineHarness({
  engineOptions: async (ports) => {
    await dns.start()
    const credentials = {
      cert: readFileSync(tlsFixture('sip.pem')),
      key: readFileSync(tlsFixture('sip.key')),
      verify: 'peer' as const,
      ca: readFileSync(tlsFixture('ca.pem')),
    }
    return { dnsServers: [dns.address], timers: { T1, T2: 4000, T4: 5000 }, tls: { port: await ports.pick(), credentials } }
  },
})

/** srf's createUAC and how long it took. */
async function dial(srf: Srf, uri: string): Promise<{ dialog: Srf.Dialog; ms: number }> {
  const started = Date.now()
  const dialog = await srf.createUAC(uri, { localSdp: pcmuSdp(40200) })
  return { dialog, ms: Date.now() - started }
}

async function hangUp(dialog: Srf.Dialog): Promise<void> {
  await new Promise<void>((resolve, reject) => dialog.destroy(undefined, (err) => (err ? reject(err) : resolve())))
}

async function callee(transport: SippTransport): Promise<SippRun> {
  const uas = await startSipp({ scenario: 'uas-answer-wait-bye.xml', transport, ports: h().ports, traceMessages: true })
  await uas.ready
  return uas
}

async function expectAnswered(uas: SippRun): Promise<void> {
  const r = await uas.done
  expect(r.code, describeSipp(r)).toBe(0)
  expect(r.successful).toBe(1)
}

describe('engine: RFC 3263 resolution of Request-URI names', () => {
  beforeEach((ctx) => {
    if (h().server !== ServerUnderTest.Embedded && !EXTERNAL_DNS_PORT) ctx.skip()
  })

  it('reaches a UDP callee named only by an SRV record (_sip._udp, no NAPTR)', async () => {
    const uas = await callee('udp')
    dns.set('srv-udp.carrier.example.net', {})
    dns.set('_sip._udp.srv-udp.carrier.example.net', { srv: [{ priority: 10, weight: 1, port: uas.localPort, target: 'edge1.carrier.example.net' }] })
    dns.set('edge1.carrier.example.net', { a: ['127.0.0.1'] })
    const srf = await h().connectSrf()

    const { dialog } = await dial(srf, 'sip:service@srv-udp.carrier.example.net')
    await hangUp(dialog)
    await expectAnswered(uas)
    expect(dns.queries).toEqual(expect.arrayContaining(['NAPTR srv-udp.carrier.example.net', 'SRV _sip._udp.srv-udp.carrier.example.net', 'A edge1.carrier.example.net']))
  })

  it('follows NAPTR to TCP when SIP+D2T has the lower order (RFC 3263 §4.1)', async () => {
    const uas = await callee('tcp')
    const dead = await h().ports.pick()
    dns.set('naptr.carrier.example.net', {
      naptr: [
        { order: 20, preference: 10, flags: 'S', services: 'SIP+D2U', replacement: '_sip._udp.naptr.carrier.example.net' },
        { order: 10, preference: 10, flags: 'S', services: 'SIP+D2T', replacement: '_sip._tcp.naptr.carrier.example.net' },
      ],
    })
    dns.set('_sip._tcp.naptr.carrier.example.net', { srv: [{ priority: 10, weight: 1, port: uas.localPort, target: 'edge1.carrier.example.net' }] })
    dns.set('_sip._udp.naptr.carrier.example.net', { srv: [{ priority: 10, weight: 1, port: dead, target: 'edge1.carrier.example.net' }] })
    dns.set('edge1.carrier.example.net', { a: ['127.0.0.1'] })
    const srf = await h().connectSrf()

    if (h().server === ServerUnderTest.DrachtioServer) {
      // drachtio-server hands sofia the UDP transport for a URI without ;transport, and sofia
      // then skips NAPTR records of other transports ("tport not used"): only the UDP record
      // is tried, its dead port refuses (ICMP) and the app gets 503 (docs/engine/dns.md)
      await expect(dial(srf, 'sip:service@naptr.carrier.example.net')).rejects.toMatchObject({ status: 503 })
      await uas.stop()
      return
    }
    const { dialog, ms } = await dial(srf, 'sip:service@naptr.carrier.example.net')
    expect(ms).toBeLessThan(2000) // straight to TCP: no Timer B on the UDP record
    await hangUp(dialog)
    await expectAnswered(uas)
  })

  it('uses only A records for a name with an explicit port (RFC 3263 §4.2)', async () => {
    const uas = await callee('udp')
    dns.set('a-only.carrier.example.net', { a: ['127.0.0.1'] })
    const srf = await h().connectSrf()
    const before = dns.queries.length

    const { dialog } = await dial(srf, `sip:service@a-only.carrier.example.net:${uas.localPort}`)
    await hangUp(dialog)
    await expectAnswered(uas)
    expect(dns.queries.slice(before)).toEqual(['A a-only.carrier.example.net'])
  })

  it('with ;transport=tcp looks up _sip._tcp only (RFC 3263 §4.1)', async () => {
    const uas = await callee('tcp')
    dns.set('tcp-only.carrier.example.net', {})
    dns.set('_sip._tcp.tcp-only.carrier.example.net', { srv: [{ priority: 10, weight: 1, port: uas.localPort, target: 'edge1.carrier.example.net' }] })
    dns.set('edge1.carrier.example.net', { a: ['127.0.0.1'] })
    const srf = await h().connectSrf()
    const before = dns.queries.length

    const { dialog } = await dial(srf, 'sip:service@tcp-only.carrier.example.net;transport=tcp')
    await hangUp(dialog)
    await expectAnswered(uas)
    const asked = dns.queries.slice(before)
    // sofia may answer the A query from its cache (edge1 was asked before); the engine keeps none
    if (h().server === ServerUnderTest.Embedded) expect(asked).toEqual(['SRV _sip._tcp.tcp-only.carrier.example.net', 'A edge1.carrier.example.net'])
    else expect(asked.filter((q) => !q.startsWith('A '))).toEqual(['SRV _sip._tcp.tcp-only.carrier.example.net'])
  })

  it('UDP: the first SRV target never answers; after Timer B the INVITE goes to the next, and the app sees only the 200', async () => {
    const uas = await callee('udp')
    const dead = await h().ports.pick()
    dns.set('failover-udp.carrier.example.net', {})
    dns.set('_sip._udp.failover-udp.carrier.example.net', {
      srv: [
        { priority: 10, weight: 1, port: dead, target: 'edge1.carrier.example.net' },
        { priority: 20, weight: 1, port: uas.localPort, target: 'edge1.carrier.example.net' },
      ],
    })
    dns.set('edge1.carrier.example.net', { a: ['127.0.0.1'] })
    const srf = await h().connectSrf()
    const provisional: number[] = []

    const started = Date.now()
    const dialog = await srf.createUAC('sip:service@failover-udp.carrier.example.net', { localSdp: pcmuSdp(40202) }, {
      cbProvisional: (res) => provisional.push(res.status),
    })
    const ms = Date.now() - started
    // the engine waits for Timer B on the dead target (node's UDP socket sees no ICMP);
    // sofia takes the ICMP port-unreachable and moves on at once (docs/engine/dns.md)
    if (h().server === ServerUnderTest.Embedded) expect(ms).toBeGreaterThanOrEqual(64 * T1 - 100)
    else expect(ms).toBeLessThan(64 * T1)
    expect(provisional).toEqual([180]) // the far end's 180; nothing of the dead target
    await hangUp(dialog)
    await expectAnswered(uas)
  })

  it('TCP: a refused connection moves to the next SRV target at once', async () => {
    const uas = await callee('tcp')
    const dead = await h().ports.pick()
    dns.set('failover-tcp.carrier.example.net', {})
    dns.set('_sip._tcp.failover-tcp.carrier.example.net', {
      srv: [
        { priority: 10, weight: 5, port: dead, target: 'edge1.carrier.example.net' },
        { priority: 20, weight: 5, port: uas.localPort, target: 'edge1.carrier.example.net' },
      ],
    })
    dns.set('edge1.carrier.example.net', { a: ['127.0.0.1'] })
    const srf = await h().connectSrf()

    const { dialog, ms } = await dial(srf, 'sip:service@failover-tcp.carrier.example.net;transport=tcp')
    expect(ms).toBeLessThan(1500)
    await hangUp(dialog)
    await expectAnswered(uas)
  })

  it('every target refused: the app gets one 503', async () => {
    const [dead1, dead2] = await h().ports.pickMany(2)
    dns.set('all-dead.carrier.example.net', {})
    dns.set('_sip._tcp.all-dead.carrier.example.net', {
      srv: [
        { priority: 10, weight: 1, port: dead1, target: 'edge1.carrier.example.net' },
        { priority: 20, weight: 1, port: dead2, target: 'edge1.carrier.example.net' },
      ],
    })
    dns.set('edge1.carrier.example.net', { a: ['127.0.0.1'] })
    const srf = await h().connectSrf()

    await expect(dial(srf, 'sip:service@all-dead.carrier.example.net;transport=tcp')).rejects.toMatchObject({ status: 503 })
  })

  it('a name that does not exist: the app gets 503 DNS Error', async () => {
    const srf = await h().connectSrf()
    await expect(dial(srf, 'sip:service@nowhere.carrier.example.net')).rejects.toMatchObject({ status: 503, reason: 'DNS Error' })
  })

  it('sips: follows only SIPS+D2T to _sips._tcp; a 503 from the first TLS target moves to the next (RFC 3263 §4.3)', async () => {
    const busy = TlsSipPeer.create()
    const good = TlsSipPeer.create()
    try {
      await busy.listen()
      await good.listen()
      dns.set('secure.carrier.example.net', {
        naptr: [
          { order: 10, preference: 10, flags: 'S', services: 'SIP+D2U', replacement: '_sip._udp.secure.carrier.example.net' },
          { order: 20, preference: 10, flags: 'S', services: 'SIPS+D2T', replacement: '_sips._tcp.secure.carrier.example.net' },
        ],
      })
      dns.set('_sips._tcp.secure.carrier.example.net', {
        srv: [
          { priority: 10, weight: 1, port: busy.port, target: 'edge1.carrier.example.net' },
          { priority: 20, weight: 1, port: good.port, target: 'edge1.carrier.example.net' },
        ],
      })
      dns.set('edge1.carrier.example.net', { a: ['127.0.0.1'] })
      // the certificate names carrier.example.net, not secure.carrier.example.net: the check
      // is for the URI's host (RFC 5922 §4), so the URI names carrier.example.net itself
      dns.set('carrier.example.net', { naptr: dns.zone.get('secure.carrier.example.net')!.naptr!.map((n) => ({ ...n })) })
      const srf = await h().connectSrf()
      const provisional: number[] = []

      const calling = srf.createUAC('sips:service@carrier.example.net', { localSdp: pcmuSdp(40204) }, {
        cbProvisional: (res) => provisional.push(res.status),
      })
      const first = await busy.request('INVITE')
      busy.send(first.socket, buildResponse(first.text, 503, { toTag: newTag() }))
      // the engine ACKs the 503 itself (RFC 3261 §17.1.1.3); sofia sends the same transaction
      // on to the next target without an ACK (docs/engine/dns.md)
      if (h().server === ServerUnderTest.Embedded) await busy.request('ACK')
      const second = await good.request('INVITE')
      expect(second.text).toMatch(/^Via: SIP\/2\.0\/TLS /m)
      const ok = buildResponse(second.text, 200, { toTag: newTag(), contact: `sips:bob@127.0.0.1:${good.port};transport=tls`, body: pcmuSdp(41004) })
      good.send(second.socket, ok)
      const dialog = await calling
      expect(provisional).toEqual([])
      await good.request('ACK')
      const hungUp = hangUp(dialog)
      const bye = await good.request('BYE')
      good.send(bye.socket, buildResponse(bye.text, 200))
      await hungUp
    } finally {
      await busy.close()
      await good.close()
    }
  })

  it('sips: a TLS target whose certificate does not name the URI\'s host is refused: 503', async (ctx) => {
    // the engine's SIP_TLS_VERIFY=peer; drachtio-server verifies no server certificate
    if (h().server !== ServerUnderTest.Embedded) ctx.skip()
    const peer = TlsSipPeer.create()
    try {
      await peer.listen()
      dns.set('_sips._tcp.other.example.org', { srv: [{ priority: 10, weight: 1, port: peer.port, target: 'edge1.carrier.example.net' }] })
      dns.set('other.example.org', {})
      dns.set('edge1.carrier.example.net', { a: ['127.0.0.1'] })
      const srf = await h().connectSrf()

      await expect(dial(srf, 'sips:service@other.example.org')).rejects.toMatchObject({ status: 503 })
      expect(peer.log).toEqual([])
    } finally {
      await peer.close()
    }
  })

  it('a MESSAGE (srf.request) to a name fails over after Timer F and the app sees only the far end\'s 200', async () => {
    const uas = await startSipp({ scenario: 'uas-message-200.xml', transport: 'udp', ports: h().ports, traceMessages: true })
    await uas.ready
    const dead = await h().ports.pick()
    dns.set('_sip._udp.im.carrier.example.net', {
      srv: [
        { priority: 10, weight: 1, port: dead, target: 'edge1.carrier.example.net' },
        { priority: 20, weight: 1, port: uas.localPort, target: 'edge1.carrier.example.net' },
      ],
    })
    dns.set('im.carrier.example.net', {})
    dns.set('edge1.carrier.example.net', { a: ['127.0.0.1'] })
    const srf = await h().connectSrf()
    const statuses: number[] = []
    const final = deferred<number>()

    // srf.request(uri, opts, callback) as lib/srf.js takes it (its .d.ts names other shapes)
    const request = srf.request.bind(srf) as unknown as (uri: string, opts: object, cb: (err: unknown, req: Srf.SrfRequest) => void) => void
    request('sip:bob@im.carrier.example.net', {
      method: 'MESSAGE',
      headers: { From: '<sip:alice@localhost>', 'Content-Type': 'text/plain' },
      body: 'hello over SRV',
    }, (err, req) => {
      if (err) return final.reject(err)
      ;(req as unknown as NodeJS.EventEmitter).on('response', (res: Srf.SrfResponse) => {
        statuses.push(res.status)
        if (res.status >= 200) final.resolve(res.status)
      })
    })

    expect(await within(final.promise, 10_000, 'the final response to the MESSAGE')).toBe(200)
    expect(statuses).toEqual([200]) // no 408 from the dead target
    await expectAnswered(uas)
  })

  it('an outbound proxy (srf opts.proxy) named by host is resolved by SRV; the Request-URI stays the callee\'s', async () => {
    const uas = await callee('tcp')
    dns.set('_sip._tcp.outbound.carrier.example.net', { srv: [{ priority: 10, weight: 1, port: uas.localPort, target: 'edge1.carrier.example.net' }] })
    dns.set('outbound.carrier.example.net', {})
    dns.set('edge1.carrier.example.net', { a: ['127.0.0.1'] })
    const srf = await h().connectSrf()

    const dialog = await srf.createUAC('sip:service@callee.example.org', {
      localSdp: pcmuSdp(40206),
      proxy: 'sip:outbound.carrier.example.net;transport=tcp',
    })
    await hangUp(dialog)
    await expectAnswered(uas)
  })
})
