import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { makeWav, sine } from '../../fixtures/audio/audio-test-kit.js'
import { waitForTone } from '../../support/audio-check.js'
import { getCall, waitUntil } from '../../support/control-call.js'
import { LivecallHarness } from '../../support/livecall-harness.js'
import { PortPicker } from '../../support/ports.js'
import { RtpPeer } from '../../support/rtp-peer.js'
import { sdpOf } from '../../support/sip-udp-phone.js'
import { tlsInDialog, tlsInvite } from '../../support/tls-dialog.js'
import { TlsSipPeer, tlsFixture } from '../../support/tls-sip-peer.js'
import { testShape, TestShape } from '../../support/test-shape.js'

const TONE = 600

/**
 * A caller over SIP/TLS (RFC 3261 §26.2, `sips:`) gets the same application as any other:
 * the embedded shape's engine terminates TLS on SIP_TLS_PORT (test certificates of
 * test/fixtures/tls); the production shape's drachtio-server on its `sips:` contact, named
 * by SIP_TLS_PORT (the suite fails without it there, it is never skipped).
 */
describe('a caller over SIP/TLS', () => {
  let h: LivecallHarness | undefined
  let tlsPort = 0
  const lc = (): LivecallHarness => h!

  beforeAll(async () => {
    if (testShape.shape === TestShape.Production) {
      if (!testShape.sip.tlsPort) throw new Error('LIVECALL_TEST_SHAPE=production: SIP_TLS_PORT must name drachtio-server\'s TLS port (a sips: contact) for this suite')
      tlsPort = testShape.sip.tlsPort
      h = await LivecallHarness.start()
    } else {
      tlsPort = await new PortPicker().pick()
      h = await LivecallHarness.start({ env: { SIP_TLS_PORT: String(tlsPort), SIP_TLS_CERT: tlsFixture('sip.pem'), SIP_TLS_KEY: tlsFixture('sip.key') } })
    }
  }, 30_000)
  afterEach(async () => {
    await h?.assertClean()
    h?.scaffold.reset()
  })
  afterAll(async () => {
    await h?.stop()
  })

  it('runs the app: 200 over the TLS connection, the caller hears the prompt, its BYE over TLS ends the call (status completed)', async () => {
    const wav = makeWav({ rate: 8000, encoding: 'pcm16', seconds: 1, signal: sine(TONE) })
    lc().scaffold.route('/audio/tone.wav', { status: 200, body: wav, contentType: 'audio/wav' })
    lc().scaffold.route('/app', [{ verb: 'play', url: lc().scaffold.url('/audio/tone.wav'), loop: 10 }, { verb: 'pause', length: 30 }])
    const peer = TlsSipPeer.create()
    const rtp = await RtpPeer.create()
    try {
      const socket = await peer.connect(tlsPort)
      const localPort = TlsSipPeer.localPort(socket)
      const invite = tlsInvite(tlsPort, localPort, rtp.offer())
      peer.send(socket, invite)
      const ok = await peer.response('INVITE', 200, 200, 10_000)
      expect(ok.socket).toBe(socket)
      peer.send(socket, tlsInDialog('ACK', invite, ok.text, localPort, 1))
      rtp.target(sdpOf(ok.text)).start()
      await waitForTone(rtp, TONE, { timeoutMs: 10_000 })

      const hook = lc().scaffold.requests('/app')[0]!
      const sid = (hook.body as { call_sid: string }).call_sid
      expect(hook.body).toMatchObject({ direction: 'inbound', call_id: /@tls-peer$/ })
      expect((await getCall(lc(), sid)).status).toBe(200)

      peer.send(socket, tlsInDialog('BYE', invite, ok.text, localPort, 2))
      const byeOk = await peer.response('BYE', 200, 200, 5000)
      expect(byeOk.socket).toBe(socket)
      const done = await lc().scaffold.waitForStatus('completed', sid)
      expect(done.body).toMatchObject({ call_status: 'completed' })
      await waitUntil(async () => (await getCall(lc(), sid)).status === 404, 5000, 'the call gone')
    } finally {
      await peer.close()
      await rtp.close()
    }
  }, 40_000)
})
