import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { childEnv } from '../support/child-env.js'
import { PortPicker } from '../support/ports.js'
import { RtpPeer } from '../support/rtp-peer.js'
import { runSipp } from '../support/sipp.js'
import { SipUdpPhone, sdpOf } from '../support/sip-udp-phone.js'

/**
 * `npm start` as a user runs it: the embedded engine, the embedded media engine and the
 * built-in demo application in one process. Real SIPp and a real SIP/RTP phone call it.
 */
describe('livecall process (embedded shape, demo application)', () => {
  const ports = new PortPicker({ min: 14000, max: 14999 })
  let child: ChildProcess
  let sipPort: number
  let httpPort: number
  let output = ''

  beforeAll(async () => {
    ;[sipPort, httpPort] = await ports.pickMany(2)
    const drachtioPort = await ports.pick()
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: childEnv({
        SIP_PORT: String(sipPort),
        HTTP_PORT: String(httpPort),
        DRACHTIO_PORT: String(drachtioPort),
        RTP_PORT_MIN: '44000',
        RTP_PORT_MAX: '44199',
        LOG_LEVEL: 'info',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout!.on('data', (d) => (output += d))
    child.stderr!.on('data', (d) => (output += d))
    const deadline = Date.now() + 20_000
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${httpPort}/health`)
        if (r.status === 200) break
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`livecall did not start:\n${output}`)
      await new Promise((r) => setTimeout(r, 200))
    }
  }, 30_000)

  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL')
      await once(child, 'exit')
    }
  })

  it('GET /health answers 200 with the SIP connection up', async () => {
    const r = await fetch(`http://127.0.0.1:${httpPort}/health`)
    expect(r.status).toBe(200)
    const body = await r.json()
    expect(body.status).toBe('ok')
    expect(body.sip.connected).toBe(true)
    // npm install builds the native UDP layer on Linux, and RTP_IO=auto takes it
    expect(body.media).toEqual({ rtpIo: 'native', endpoints: 0 })
  })

  it('the demo application answers a SIPp call and hangs up after its greeting', async () => {
    const r = await runSipp({ scenario: 'uac-invite-expect-bye.xml', target: `127.0.0.1:${sipPort}`, transport: 'udp', ports, timeoutS: 20, recvTimeoutMs: 15_000 })
    expect(r.code, r.errors || r.stdout).toBe(0)
    expect(r.successful).toBe(1)
  }, 30_000)

  it('the caller hears the spoken greeting as RTP before the BYE', async () => {
    const peer = await RtpPeer.create()
    const phone = await SipUdpPhone.create({ host: '127.0.0.1', port: sipPort })
    try {
      const final = await phone.invite(peer.offer())
      expect(final).toMatch(/^SIP\/2\.0 200 OK/)
      phone.ack(final)
      peer.target(sdpOf(final)).start()
      await phone.answerBye(20_000)
      const pcm = peer.decode(peer.audio())
      expect(peer.audio().length).toBeGreaterThan(25) // over half a second of speech
      let energy = 0
      for (const s of pcm) energy += s * s
      expect(Math.sqrt(energy / pcm.length)).toBeGreaterThan(300) // not silence
    } finally {
      phone.close()
      await peer.close()
    }
  }, 30_000)

  it('SIGTERM ends the process with exit code 0', async () => {
    child.kill('SIGTERM')
    const [code] = await once(child, 'exit')
    expect(code, output).toBe(0)
  }, 20_000)
})
