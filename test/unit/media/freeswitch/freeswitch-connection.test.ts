/**
 * How the FreeSWITCH media engine holds its event sockets, against the fake FreeSWITCH on
 * loopback: TCP_NODELAY on every socket (issue 10: drachtio-modesl writes each command in
 * several pieces, so without it every command waits ~40 ms for Nagle plus delayed ACK),
 * the outbound-socket port and the address FreeSWITCH is told to connect back to
 * (FREESWITCH_LISTEN_PORT / _HOST / FREESWITCH_ADVERTISED_HOST), and FreeSWITCH's channel count.
 */
import { createServer, Socket } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import pino from 'pino'
import { FreeswitchMediaEngine } from '../../../../src/media/freeswitch/index.js'
import { mediaTimeoutHeaders, mediaTimeouts } from '../../../../src/media/freeswitch/media-timeouts.js'
import { FakeFreeswitch, fakeSrf } from '../../../support/fake-freeswitch.js'

const OFFER = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 30000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n')
const logger = pino({ level: 'silent' })

let fs: FakeFreeswitch | undefined
let engine: FreeswitchMediaEngine | undefined

afterEach(async () => {
  vi.restoreAllMocks()
  await engine?.close()
  await fs?.close()
  engine = undefined
  fs = undefined
})

async function start(opts: { listenPort?: number; listenHost?: string; advertisedHost?: string; mediaTimeoutMs?: number } = {}) {
  fs = new FakeFreeswitch()
  const port = await fs.listen()
  const srf = fakeSrf(fs, () => OFFER.replace('30000', '20000'))
  engine = await FreeswitchMediaEngine.connect({ srf: srf.srf, host: '127.0.0.1', port, secret: 'ClueCon', listenPort: 0, logger, ...opts })
  return { port, srf, fs, engine }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

async function waitFor(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('FreeSWITCH event sockets', () => {
  it('TCP_NODELAY is set on the inbound event socket, and again on the new socket after drachtio-modesl reconnects', async () => {
    const noDelay: Array<{ remotePort?: number; socket: Socket; on: boolean | undefined }> = []
    const original = Socket.prototype.setNoDelay
    vi.spyOn(Socket.prototype, 'setNoDelay').mockImplementation(function (this: Socket, on?: boolean) {
      noDelay.push({ remotePort: this.remotePort, socket: this, on })
      return original.call(this, on)
    })
    const { port, fs } = await start()
    const first = noDelay.filter((c) => c.remotePort === port && c.on === true)
    expect(first).toHaveLength(1)

    fs.dropInbound()
    await waitFor(() => fs.authAttempts.length === 2, 'the reconnect and its auth')
    await waitFor(() => noDelay.filter((c) => c.remotePort === port && c.on === true).length === 2, 'TCP_NODELAY on the new socket')
    const [a, b] = noDelay.filter((c) => c.remotePort === port && c.on === true)
    expect(a!.socket).not.toBe(b!.socket)
  })

  it("TCP_NODELAY is set on each channel's outbound event socket before drachtio-fsmrf's set-up commands on it", async () => {
    const seen: Array<{ localPort?: number; on: boolean | undefined; received: string[] }> = []
    const original = Socket.prototype.setNoDelay
    let received = (): string[] => []
    vi.spyOn(Socket.prototype, 'setNoDelay').mockImplementation(function (this: Socket, on?: boolean) {
      seen.push({ localPort: this.localPort, on, received: received() })
      return original.call(this, on)
    })
    const { engine, fs } = await start()
    const from = fs.commands.length
    received = () => fs.commands.slice(from)
    const ep = await engine.createEndpoint({ remoteSdp: OFFER })
    await waitFor(() => fs.commands.includes(`filter Unique-ID ${ep.id}`), "the channel's set-up")
    const onChannel = seen.filter((c) => c.localPort === engine.listenPort && c.on === true)
    expect(onChannel.length).toBeGreaterThanOrEqual(1)
    // drachtio-fsmrf sets the channel up with several commands (filter, event subscription, …)
    expect(fs.commands.slice(from)).toContain(`filter Unique-ID ${ep.id}`)
    // by the time TCP_NODELAY was set, FreeSWITCH had received at most the socket's `connect`
    expect(onChannel[0]!.received.filter((c) => c !== 'connect')).toEqual([])
  })

  it('listens on FREESWITCH_LISTEN_PORT and tells FreeSWITCH to connect back to the bound address', async () => {
    const listenPort = await freePort()
    const { engine, srf } = await start({ listenPort })
    expect(engine.listenPort).toBe(listenPort)
    await engine.createEndpoint({ remoteSdp: OFFER })
    expect(srf.eslOutbound).toEqual([`127.0.0.1:${listenPort}`])
    expect(engine.advertised).toBe(`127.0.0.1:${listenPort}`)
  })

  it('bound to every address, it advertises FREESWITCH_ADVERTISED_HOST in X-esl-outbound', async () => {
    const { engine, srf } = await start({ listenHost: '0.0.0.0', advertisedHost: '127.0.0.1' })
    await engine.createEndpoint({ remoteSdp: OFFER })
    expect(srf.eslOutbound).toEqual([`127.0.0.1:${engine.listenPort}`])
  })

  it("a listen port that is taken stops the start naming FreeSWITCH's address", async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const listenPort = (taken.address() as { port: number }).port
    try {
      await expect(start({ listenPort })).rejects.toMatchObject({ code: 'LIVECALL_ERR_CONFIG', message: expect.stringMatching(new RegExp(`127\.0\.0\.1:${listenPort}.*FREESWITCH_LISTEN_PORT`)) })
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()))
    }
  })

  it("channelCount() is FreeSWITCH's `show channels count`", async () => {
    const { engine, fs } = await start()
    fs.apiReplies.set('show', (args) => (args === 'channels count' ? '\n3 total.\n' : '-ERR'))
    expect(await engine.channelCount()).toBe(3)
    expect(fs.commands).toContain('api show channels count')
  })

  it('RTP_TIMEOUT_S goes to FreeSWITCH with each channel INVITE (X-Livecall-Media-Timeout, ms; hold 10 x, at most 4 min); none when off', async () => {
    const { engine, srf } = await start({ mediaTimeoutMs: 1000 })
    await engine.createEndpoint({ remoteSdp: OFFER })
    expect(srf.inviteHeaders[0]).toMatchObject({ 'X-Livecall-Media-Timeout': '1000', 'X-Livecall-Media-Hold-Timeout': '10000' })
    expect(mediaTimeoutHeaders(mediaTimeouts(60_000))).toEqual({ 'X-Livecall-Media-Timeout': '60000', 'X-Livecall-Media-Hold-Timeout': '240000' })
    expect(mediaTimeoutHeaders(mediaTimeouts(undefined))).toEqual({})
  })

  it('the far end holding with a=inactive (or recvonly) switches the channel to the hold timeout before its re-INVITE, and back when it sends again; a sendonly far end keeps the timeout', async () => {
    const { engine, fs } = await start({ mediaTimeoutMs: 1000 })
    const ep = await engine.createEndpoint({ remoteSdp: OFFER })
    const setvars = () => fs.commands.filter((c) => c.startsWith(`api uuid_setvar ${ep.id} media_timeout`)).map((c) => c.split(' ').slice(3).join(' '))
    await ep.setRemoteSdp(OFFER.replace('a=sendrecv', 'a=sendonly'))
    expect(setvars()).toEqual([])
    await ep.setRemoteSdp(OFFER.replace('a=sendrecv', 'a=inactive'))
    await ep.setRemoteSdp(OFFER.replace('a=sendrecv', 'a=recvonly'))
    await ep.setRemoteSdp(OFFER)
    expect(setvars()).toEqual(['media_timeout 10000', 'media_timeout_audio 10000', 'media_timeout 1000', 'media_timeout_audio 1000'])
  })
})
