import { describe, expect, it } from 'vitest'
import { callIn, hangUpBoth, startBridge, update } from '../../support/control-call.js'
import { useLivecall } from '../../support/livecall-harness.js'
import { A_TONE } from '../../support/parties.js'
import type { RtpPeer } from '../../support/rtp-peer.js'
import { WsListenServer, type ListenConnection } from '../../support/ws-listen-server.js'

/** Wait until `peer` sent `n` more packets: `n` × 20 ms of call time went by. */
async function callTime(peer: RtpPeer, n: number): Promise<void> {
  const start = peer.sent
  await peer.waitFor(() => peer.sent >= start + n, 10_000, `${n} more packets sent`)
}

/**
 * listen_status pause / resume (SPEC §5, jambonz #751): the frames stop while the socket
 * stays open, and flow again on resume; for a top-level listen and one nested in dial.
 */
async function pauseAndResume(sid: string, conn: ListenConnection, clock: RtpPeer, h: Parameters<typeof update>[0]): Promise<void> {
  expect((await update(h, sid, { listen_status: 'pause' })).status).toBe(204)
  await callTime(clock, 10) // frames already on their way arrive
  const paused = conn.frames.length
  await callTime(clock, 50) // a second of call time
  expect(conn.frames.length).toBe(paused)
  expect(conn.closeCode).toBeNull()
  expect((await update(h, sid, { listen_status: 'resume' })).status).toBe(204)
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
      expect(conn.metadata).toMatchObject({ call_sid: x.sid, team: 'blue', sampleRate: 8000, mixType: 'mono' })
      await ws.waitForFrames(10, conn)
      await pauseAndResume(x.sid, conn, x.peer, h())
      await pauseAndResume(x.child, conn, x.peer, h())
      await x.callee.bye()
      await conn.closed
      await x.phone.waitFor((m) => m.startsWith('BYE '), 10_000, 'BYE to the caller')
    } finally {
      await x.end()
      await ws.close()
    }
  }, 60_000)

  it('a top-level listen verb: pause stops the frames with the socket open, resume sends them again (jambonz #751)', async () => {
    const ws = await WsListenServer.start()
    const call = await callIn(h(), [{ verb: 'listen', url: ws.url('/top') }], { tone: A_TONE })
    try {
      const conn = await ws.waitForFrames(10)
      await pauseAndResume(call.sid, conn, call.peer, h())
      await call.phone.bye()
      await conn.closed
    } finally {
      await call.end()
      await ws.close()
    }
  }, 60_000)

  it('listen_status without an active listen is 409', async () => {
    const x = await startBridge(h())
    try {
      const res = await update(h(), x.sid, { listen_status: 'pause' })
      expect(res.status).toBe(409)
      expect(res.body.error).toMatchObject({ code: 'LIVECALL_ERR_CALL_STATE' })
      expect(res.body.error.message).toMatch(/listen/)
      await hangUpBoth(x)
    } finally {
      await x.end()
    }
  }, 60_000)

  it('a dial listen whose socket cannot be reached: the dial goes on (as jambonz)', async () => {
    const ws = await WsListenServer.start()
    const url = ws.url('/gone')
    await ws.close()
    const x = await startBridge(h(), { dial: { listen: { url } } })
    try {
      expect((await update(h(), x.sid, { listen_status: 'pause' })).status).toBe(409)
      await hangUpBoth(x)
    } finally {
      await x.end()
    }
  }, 60_000)
})
