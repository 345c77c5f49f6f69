import dgram from 'node:dgram'
import { afterEach, describe, expect, it } from 'vitest'
import type { EmbeddedMediaEngine } from '../../../src/media/index.js'
import { RtpPeer } from '../../support/rtp-peer.js'
import { sleep, testEngine } from './media-fixture.js'

describe('ports, lifecycle and RTP timeout', () => {
  const engines: EmbeddedMediaEngine[] = []
  const peers: RtpPeer[] = []
  afterEach(async () => {
    for (const p of peers.splice(0)) await p.close()
    for (const e of engines.splice(0)) await e.close()
  })

  it('uses even RTP ports with RTCP on port+1, and running out is LIVECALL_ERR_MEDIA_NO_PORTS, not a crash', async () => {
    const engine = testEngine({ portMin: 42900, portMax: 42905 })
    engines.push(engine)
    const e1 = await engine.createEndpoint()
    const e2 = await engine.createEndpoint()
    const e3 = await engine.createEndpoint()
    expect([e1.port, e2.port, e3.port].sort()).toEqual([42900, 42902, 42904])
    expect(e1.localSdp).toMatch(/^m=audio 42900 RTP\/AVP 0 8 101\r$/m)
    await expect(engine.createEndpoint()).rejects.toMatchObject({ code: 'LIVECALL_ERR_MEDIA_NO_PORTS', status: 503 })
    await e2.close()
    const e4 = await engine.createEndpoint()
    expect(e4.port).toBe(42902)
    expect(engine.stats()).toMatchObject({ endpoints: 3, portsInUse: 3 })
  })

  it('skips a port pair held by someone else', async () => {
    const squatter = dgram.createSocket('udp4')
    await new Promise<void>((r) => squatter.bind(42911, '127.0.0.1', () => r()))
    try {
      const engine = testEngine({ portMin: 42910, portMax: 42913 })
      engines.push(engine)
      expect((await engine.createEndpoint()).port).toBe(42912)
    } finally {
      squatter.close()
    }
  })

  it('refuses an offer without a common codec before taking a port (488)', async () => {
    const engine = testEngine({ portMin: 42920, portMax: 42921 })
    engines.push(engine)
    const peer = await RtpPeer.create()
    peers.push(peer)
    const g729 = peer.offer().replace(/RTP\/AVP 0 101/, 'RTP/AVP 18').replace(/a=rtpmap:0 PCMU/, 'a=rtpmap:18 G729')
    await expect(engine.createEndpoint({ remoteSdp: g729 })).rejects.toMatchObject({ code: 'LIVECALL_ERR_MEDIA_NO_CODEC', status: 488 })
    expect(engine.stats().portsInUse).toBe(0)
  })

  it('emits timeout once when RTP stops for rtpTimeoutMs, not while the far end is on hold', async () => {
    const engine = testEngine({ rtpTimeoutMs: 300 })
    engines.push(engine)
    const peer = await RtpPeer.create()
    peers.push(peer)
    const ep = await engine.createEndpoint({ remoteSdp: peer.offer() })
    peer.target(ep.localSdp)
    let timeouts = 0
    ep.on('timeout', () => timeouts++)
    peer.start()
    await sleep(500)
    expect(timeouts).toBe(0)
    peer.stop()
    await sleep(700)
    expect(timeouts).toBe(1)
    // a held far end (a=inactive) is not expected to send
    peer.start()
    await sleep(100)
    await ep.setRemoteSdp(peer.offer({ direction: 'inactive' }))
    peer.stop()
    await sleep(700)
    expect(timeouts).toBe(1)
  })

  it('close releases the ports, is idempotent, and the engine close cascades', async () => {
    const engine = testEngine({ portMin: 42930, portMax: 42933 })
    engines.push(engine)
    const ep = await engine.createEndpoint()
    let closes = 0
    ep.on('close', () => closes++)
    await ep.close()
    await ep.close()
    expect(closes).toBe(1)
    const s = dgram.createSocket('udp4')
    await new Promise<void>((r, j) => {
      s.once('error', j)
      s.bind(42930, '127.0.0.1', () => r())
    })
    s.close()
    const ep2 = await engine.createEndpoint()
    await engine.close()
    expect(ep2.closed).toBe(true)
    await expect(engine.createEndpoint()).rejects.toMatchObject({ code: 'LIVECALL_ERR_MEDIA_CLOSED' })
  })

  it('an endpoint asked for while the engine closes is refused as closed, and leaves no port bound', async () => {
    const engine = testEngine({ portMin: 42940, portMax: 42949 })
    const pending = engine.createEndpoint()
    const closing = engine.close()
    await expect(pending).rejects.toMatchObject({ code: 'LIVECALL_ERR_MEDIA_CLOSED' })
    await closing
    expect(engine.stats().portsInUse).toBe(0)
    for (const port of [42940, 42941]) {
      const s = dgram.createSocket('udp4')
      await new Promise<void>((r, j) => {
        s.once('error', j)
        s.bind(port, '127.0.0.1', () => r())
      })
      s.close()
    }
  })
})
