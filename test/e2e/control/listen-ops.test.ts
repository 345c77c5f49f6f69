import { describe, expect, it } from 'vitest'
import { useLivecall } from '../../support/livecall-harness.js'
import type { RtpPeer } from '../../support/rtp-peer.js'
import { RtpPeer as Peer } from '../../support/rtp-peer.js'
import { SipUdpPhone, sdpOf } from '../../support/sip-udp-phone.js'
import { WsListenServer, type ListenConnection } from '../../support/ws-listen-server.js'
import { A_TONE, listCalls, startBridge, updateCall } from './live-bridge.js'

/** Wait until `peer` sent `n` more packets: `n` × 20 ms of call time went by. */
async function callTime(peer: RtpPeer, n: number): Promise<void> {
  const start = peer.sent
  await peer.waitFor(() => peer.sent >= start + n, 10_000, `${n} more packets sent`)
}

/**
 * listen_status pause / resume (SPEC §5, jambonz #751): the frames stop while the socket
 * stays open, and flow again on resume; for a top-level listen and one nested in dial.
 */
async function pauseAndResume(sid: string, conn: ListenConnection, clock: RtpPeer, h: Parameters<typeof updateCall>[0]): Promise<void> {
  expect((await updateCall(h, sid, { listen_status: 'pause' })).status).toBe(204)
  await callTime(clock, 10) // frames already on their way arrive
  const paused = conn.frames.length
  await callTime(clock, 50) // a second of call time
  expect(conn.frames.length).toBe(paused)
  expect(conn.closeCode).toBeNull()
  expect((await updateCall(h, sid, { listen_status: 'resume' })).status).toBe(204)
  await clock.waitFor(() => conn.frames.length >= paused + 10, 10_000, 'frames after resume')
}

describe('live call control: listen_status', () => {
  const h = useLivecall()

  it('dial with a nested listen streams the caller while bridged; listen_status pause/resume on either sid; the socket closes with the dial', async () => {
    const ws = await WsListenServer.start()
    const x = await startBridge(h(), { dial: { listen: { url: ws.url('/dial-listen'), metadata: { team: 'blue' } } } })
    try {
      const conn = await ws.waitForConnection()
      expect(conn.protocol).toBe('audio.jambonz.org')
      expect(conn.metadata).toMatchObject({ call_sid: x.parentSid, team: 'blue', sampleRate: 8000, mixType: 'mono' })
      await ws.waitForFrames(10, conn)
      await pauseAndResume(x.parentSid, conn, x.aPeer, h())
      await pauseAndResume(x.childSid, conn, x.aPeer, h())
      await x.b.bye()
      await conn.closed
      await x.a.waitFor((m) => m.startsWith('BYE '), 10_000, 'BYE to the caller')
    } finally {
      await x.close()
      await ws.close()
    }
  }, 60_000)

  it('a top-level listen verb: pause stops the frames with the socket open, resume sends them again (jambonz #751)', async () => {
    const ws = await WsListenServer.start()
    const aPeer = await Peer.create({ payload: { kind: 'tone', freq: A_TONE } })
    const a = await SipUdpPhone.create({ host: '127.0.0.1', port: h().sipPort }, { autoAnswerBye: true })
    try {
      h().scaffold.route('/app', [{ verb: 'listen', url: ws.url('/top') }])
      const final = await a.invite(aPeer.offer())
      a.ack(final)
      aPeer.target(sdpOf(final)).start()
      const conn = await ws.waitForFrames(10)
      const [call] = await listCalls(h())
      await pauseAndResume(call.call_sid, conn, aPeer, h())
      await a.bye()
      await conn.closed
    } finally {
      a.close()
      await aPeer.close()
      await ws.close()
    }
  }, 60_000)

  it('listen_status without an active listen is 409', async () => {
    const x = await startBridge(h())
    try {
      const res = await updateCall(h(), x.parentSid, { listen_status: 'pause' })
      expect(res.status).toBe(409)
      expect(res.body.error).toMatchObject({ code: 'LIVECALL_ERR_CALL_STATE' })
      expect(res.body.error.message).toMatch(/listen/)
      await x.a.bye()
      await x.b.waitFor((m) => m.startsWith('BYE '), 10_000, 'BYE to the callee')
    } finally {
      await x.close()
    }
  }, 60_000)

  it('a dial listen whose socket cannot be reached: the dial goes on (as jambonz)', async () => {
    const ws = await WsListenServer.start()
    const url = ws.url('/gone')
    await ws.close()
    const x = await startBridge(h(), { dial: { listen: { url } } })
    try {
      expect((await updateCall(h(), x.parentSid, { listen_status: 'pause' })).status).toBe(409)
      await x.a.bye()
      await x.b.waitFor((m) => m.startsWith('BYE '), 10_000, 'BYE to the callee')
    } finally {
      await x.close()
    }
  }, 60_000)
})
