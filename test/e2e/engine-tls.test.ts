import { readFileSync } from 'node:fs'
import type Srf from 'drachtio-srf'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { deferred, pcmuSdp, ServerUnderTest, within, type EngineHarness } from '../support/engine-harness.js'
import type { PortPicker } from '../support/ports.js'
import { describeSipp, startSipp } from '../support/sipp.js'
import { buildMessage, buildResponse, header, newBranch, newTag, statusOf, uriOf } from '../support/sip-message.js'
import { tlsInDialog, tlsInvite } from '../support/tls-dialog.js'
import { TlsSipPeer, tlsFixture, type TlsReceived } from '../support/tls-sip-peer.js'
import { connectB2bua } from '../support/b2bua-app.js'
import { useEngineHarness } from '../support/use-engine-harness.js'

/**
 * SIP over TLS (RFC 3261 §26.2, RFC 5630) on the embedded engine, with unmodified
 * drachtio-srf apps and a real TLS SIP peer (node:tls; Debian's SIPp has no TLS) as the
 * far end. Certificates: the committed test-only ones of test/fixtures/tls/.
 * Against an external drachtio-server the tests run when SIP_TLS_PORT names its TLS port
 * (the verification ones need the engine's SIP_TLS_VERIFY and are skipped there).
 */

/** Skip the tests of a block when the server under test has no TLS port we know of. */
function needsTls(h: () => EngineHarness, embeddedOnly = false): void {
  beforeEach((ctx) => {
    if (h().endpoints.sipTlsPort === undefined || (embeddedOnly && h().server !== ServerUnderTest.Embedded)) ctx.skip()
  })
}

const engineTls = (verify: 'none' | 'peer' = 'none') => async (ports: PortPicker) => ({
  tls: {
    port: await ports.pick(),
    credentials: {
      cert: readFileSync(tlsFixture('sip.pem')),
      key: readFileSync(tlsFixture('sip.key')),
      verify,
      ca: verify === 'peer' ? readFileSync(tlsFixture('ca.pem')) : undefined,
    },
  },
})

/** The peer's 200 to an in-dialog request. */
function okTo(peer: TlsSipPeer, m: TlsReceived): void {
  peer.send(m.socket, buildResponse(m.text, 200))
}

describe('engine: SIP over TLS, inbound', () => {
  const h = useEngineHarness({ engineOptions: engineTls() })
  needsTls(h)
  let peer: TlsSipPeer
  afterEach(async () => {
    await peer?.close()
  })

  async function callIn(onDialog: (d: Srf.Dialog, req: Srf.SrfRequest) => void) {
    const seen = deferred<{ protocol: string }>()
    await h().connectSrf((srf) =>
      srf.invite((req, res) => {
        seen.resolve({ protocol: req.protocol })
        srf.createUAS(req, res, { localSdp: pcmuSdp(40100) }).then((d) => onDialog(d, req), () => undefined)
      }),
    )
    peer = TlsSipPeer.create()
    const socket = await peer.connect(h().endpoints.sipTlsPort!)
    const localPort = TlsSipPeer.localPort(socket)
    const invite = tlsInvite(h().endpoints.sipTlsPort!, localPort, pcmuSdp(41000))
    peer.send(socket, invite)
    const trying = await peer.response('INVITE', 100, 100)
    const ok = await peer.response('INVITE', 200, 299)
    peer.send(socket, tlsInDialog('ACK', invite, ok.text, localPort, 1))
    return { socket, localPort, invite, trying: trying.text, ok: ok.text, app: await within(seen.promise, 1000, 'the app\'s INVITE') }
  }

  it('an INVITE over TLS reaches the app as protocol tls; the 200 carries a sips: Contact with transport=tls', async () => {
    const dialog = deferred<Srf.Dialog>()
    const call = await callIn((d) => dialog.resolve(d))
    expect(call.app.protocol).toBe('tls')
    expect(statusOf(call.trying)).toBe(100)
    expect(header(call.ok, 'Contact')).toBe(`<sips:127.0.0.1:${h().endpoints.sipTlsPort};transport=tls>`)
    const d = await within(dialog.promise, 1000, 'createUAS')
    // the app's BYE goes back on the caller's TLS connection (connection reuse)
    const destroyed = new Promise<void>((resolve, reject) => d.destroy(undefined, (err) => (err ? reject(err) : resolve())))
    const bye = await peer.request('BYE')
    expect(bye.socket).toBe(call.socket)
    expect(bye.text.split('\r\n')[0]).toBe(`BYE sips:alice@127.0.0.1:${call.localPort};transport=tls SIP/2.0`)
    expect(header(bye.text, 'Via')).toMatch(new RegExp(`^SIP/2.0/TLS 127\\.0\\.0\\.1:${h().endpoints.sipTlsPort};branch=`))
    okTo(peer, bye)
    await destroyed
  })

  it('the caller\'s BYE over TLS ends the app\'s dialog; the 200 comes back on that connection', async () => {
    const destroyed = deferred()
    const call = await callIn((d) => d.on('destroy', () => destroyed.resolve()))
    peer.send(call.socket, tlsInDialog('BYE', call.invite, call.ok, call.localPort, 2))
    const ok = await peer.response('BYE', 200, 200)
    expect(ok.socket).toBe(call.socket)
    await within(destroyed.promise, 1000, 'dialog destroy for the caller\'s BYE')
  })

  it('a CRLFCRLF keep-alive on a TLS connection: the engine answers CRLF (RFC 5626 §3.5.1), drachtio-server nothing; a request on that connection is answered after it', async () => {
    await h().connectSrf((srf) => srf.use('options', (_req, res) => res.send(200)))
    peer = TlsSipPeer.create()
    const socket = await peer.connect(h().endpoints.sipTlsPort!)
    const firstBytes = new Promise<string>((resolve) => socket.once('data', (b: Buffer) => resolve(b.toString())))
    socket.write('\r\n\r\n')
    if (h().server === ServerUnderTest.Embedded) {
      expect(await within(firstBytes, 1000, 'the pong')).toBe('\r\n')
    } else {
      // sofia answers pings only on TCP (tport_recv_stream); its TLS receive path hands the
      // CRLFs to the parser, which skips them (RFC 3261 §7.5): no pong (docs/engine/tls.md)
      const silence = new Promise<string>((resolve) => setTimeout(() => resolve('nothing'), 500))
      expect(await Promise.race([firstBytes, silence])).toBe('nothing')
    }
    const localPort = TlsSipPeer.localPort(socket)
    peer.send(socket, buildMessage(`OPTIONS sips:service@127.0.0.1:${h().endpoints.sipTlsPort} SIP/2.0`, [
      `Via: SIP/2.0/TLS 127.0.0.1:${localPort};branch=${newBranch()};rport`,
      'Max-Forwards: 70',
      `From: <sips:alice@127.0.0.1:${localPort}>;tag=${newTag()}`,
      `To: <sips:service@127.0.0.1:${h().endpoints.sipTlsPort}>`,
      `Call-ID: ${newTag()}@tls-peer`,
      'CSeq: 1 OPTIONS',
    ]))
    const ok = await peer.response('OPTIONS', 200, 200, 2000)
    expect(ok.socket).toBe(socket)
  })

  it('bridges a TLS caller to a SIPp UDP callee with srf.createB2BUA; the caller\'s BYE reaches SIPp', async () => {
    const b = await startSipp({ scenario: 'uas-answer-wait-bye.xml', transport: 'udp', ports: h().ports, traceMessages: true })
    await b.ready
    const app = await connectB2bua(h(), `sip:service@127.0.0.1:${b.localPort}`)
    peer = TlsSipPeer.create()
    const socket = await peer.connect(h().endpoints.sipTlsPort!)
    const localPort = TlsSipPeer.localPort(socket)
    const invite = tlsInvite(h().endpoints.sipTlsPort!, localPort, pcmuSdp(41000))
    peer.send(socket, invite)
    const ok = await peer.response('INVITE', 200, 299, 8000)
    expect(header(ok.text, 'Contact')).toMatch(/^<sips:.*;transport=tls>$/)
    peer.send(socket, tlsInDialog('ACK', invite, ok.text, localPort, 1))
    const { uac } = await within(app.call, 2000, 'createB2BUA')
    expect(uac.remote.sdp).toMatch(/m=audio \d+ RTP\/AVP 0/)
    peer.send(socket, tlsInDialog('BYE', invite, ok.text, localPort, 2))
    await peer.response('BYE', 200, 200)
    const r = await b.done
    expect(r.code, describeSipp(r)).toBe(0)
    expect(r.successful).toBe(1)
  })
})

describe('engine: SIP over TLS, outbound (srf.createUAC)', () => {
  const h = useEngineHarness({ engineOptions: engineTls() })
  needsTls(h)
  let peer: TlsSipPeer
  afterEach(async () => {
    await peer?.close()
  })

  /** The peer answers the next INVITE with 200 and a sips: Contact, and returns it. */
  async function answerNext(): Promise<{ invite: TlsReceived; ok: string }> {
    const invite = await peer.request('INVITE')
    const ok = buildResponse(invite.text, 200, {
      toTag: newTag(), contact: `sips:bob@127.0.0.1:${peer.port};transport=tls`, body: pcmuSdp(41002),
    })
    peer.send(invite.socket, ok)
    return { invite, ok }
  }

  for (const [what, uri] of [
    ['a sips: Request-URI', (port: number) => `sips:bob@127.0.0.1:${port}`],
    ['a sip: Request-URI with ;transport=tls', (port: number) => `sip:bob@127.0.0.1:${port};transport=tls`],
  ] as const) {
    it(`sends the INVITE for ${what} over TLS with Via SIP/2.0/TLS and a sips: Contact (drachtio-server: sip: for a sips: URI); the app's BYE follows on it`, async () => {
      const srf = await h().connectSrf()
      peer = TlsSipPeer.create()
      await peer.listen()
      const tlsPort = h().endpoints.sipTlsPort!
      const calling = srf.createUAC(uri(peer.port), { localSdp: pcmuSdp(40102) })
      const { invite } = await answerNext()
      expect(header(invite.text, 'Via')).toMatch(new RegExp(`^SIP/2.0/TLS 127\\.0\\.0\\.1:${tlsPort};branch=z9hG4bK`))
      // RFC 3261 §8.1.1.8: a sips: Request-URI needs a sips: Contact. drachtio-server picks
      // the UDP transport's contact for a sips: URI without ;transport and sofia only moves
      // it to the TLS host:port, keeping sip: (docs/engine/tls.md): the engine keeps sips:
      const scheme = what === 'a sips: Request-URI' && h().server === ServerUnderTest.DrachtioServer ? 'sip' : 'sips'
      expect(header(invite.text, 'Contact')).toBe(`<${scheme}:127.0.0.1:${tlsPort};transport=tls>`)
      const dialog = await calling
      expect(dialog.remote.sdp).toMatch(/m=audio 41002/)
      const ack = await peer.request('ACK')
      expect(ack.socket).toBe(invite.socket)
      const destroyed = new Promise<void>((resolve, reject) => dialog.destroy(undefined, (err) => (err ? reject(err) : resolve())))
      const bye = await peer.request('BYE')
      expect(bye.socket).toBe(invite.socket)
      expect(bye.text.split('\r\n')[0]).toBe(`BYE sips:bob@127.0.0.1:${peer.port};transport=tls SIP/2.0`)
      okTo(peer, bye)
      await destroyed
    })
  }

  it('the callee\'s BYE over TLS ends the srf dialog', async () => {
    const srf = await h().connectSrf()
    peer = TlsSipPeer.create()
    await peer.listen()
    const calling = srf.createUAC(`sips:bob@127.0.0.1:${peer.port}`, { localSdp: pcmuSdp(40104) })
    const { invite, ok } = await answerNext()
    const dialog = await calling
    await peer.request('ACK')
    const destroyed = deferred()
    dialog.on('destroy', () => destroyed.resolve())
    const bye = buildMessage(
      `BYE ${uriOf(header(invite.text, 'Contact'))} SIP/2.0`,
      [
        `Via: SIP/2.0/TLS 127.0.0.1:${peer.port};branch=${newBranch()}`,
        'Max-Forwards: 70',
        `From: ${header(ok, 'To')}`,
        `To: ${header(invite.text, 'From')}`,
        `Call-ID: ${header(invite.text, 'Call-ID')}`,
        'CSeq: 1 BYE',
      ],
    )
    peer.send(invite.socket, bye)
    const res = await peer.response('BYE', 200, 200)
    expect(res.socket).toBe(invite.socket)
    await within(destroyed.promise, 1000, 'dialog destroy for the callee\'s BYE')
  })

  it('a sips: target that refuses the connection gets 503 (RFC 3261 §8.1.3.1)', async () => {
    const srf = await h().connectSrf()
    const dead = await h().ports.pick()
    await expect(srf.createUAC(`sips:bob@127.0.0.1:${dead}`, { localSdp: pcmuSdp(40106) })).rejects.toMatchObject({ status: 503 })
  })
})

describe('engine: SIP over TLS with SIP_TLS_VERIFY=peer', () => {
  const h = useEngineHarness({ engineOptions: engineTls('peer') })
  needsTls(h, true)
  let peer: TlsSipPeer
  afterEach(async () => {
    await peer?.close()
  })

  it('calls a peer whose certificate SIP_TLS_CA signed', async () => {
    const srf = await h().connectSrf()
    peer = TlsSipPeer.create()
    await peer.listen()
    const calling = srf.createUAC(`sips:bob@127.0.0.1:${peer.port}`, { localSdp: pcmuSdp(40108) })
    const invite = await peer.request('INVITE')
    peer.send(invite.socket, buildResponse(invite.text, 486, { toTag: newTag() }))
    await expect(calling).rejects.toMatchObject({ status: 486 })
  })

  it('refuses a peer whose certificate it cannot verify: the app gets 503 and no INVITE is sent', async () => {
    const srf = await h().connectSrf()
    peer = TlsSipPeer.create({ cert: tlsFixture('untrusted.pem'), key: tlsFixture('untrusted.key') })
    await peer.listen()
    await expect(srf.createUAC(`sips:bob@127.0.0.1:${peer.port}`, { localSdp: pcmuSdp(40110) })).rejects.toMatchObject({ status: 503 })
    expect(peer.log).toEqual([])
  })
})

/** Polls `check` every 20 ms for up to 1 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 1000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('engine: SIP over TLS, idle connections', () => {
  const h = useEngineHarness({ engineOptions: async (ports) => ({ ...(await engineTls()(ports)), tcpIdleTimeoutMs: 300 }) })
  needsTls(h, true)
  let peer: TlsSipPeer
  afterEach(async () => {
    await peer?.close()
  })

  it('closes a TLS connection that carried nothing for the idle time, as TCP does', async () => {
    peer = TlsSipPeer.create()
    const socket = await peer.connect(h().endpoints.sipTlsPort!)
    await until(() => h().engine!.counts().sipConnections === 1, 'the engine to count the connection')
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    await within(closed, 2000, 'the engine to close the idle TLS connection')
    await until(() => h().engine!.counts().sipConnections === 0, 'the engine to forget the connection')
  })
})
