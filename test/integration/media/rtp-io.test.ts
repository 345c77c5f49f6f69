import dgram from 'node:dgram'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { monotonicMs, ON_TIME_MS } from '../../../src/media/embedded/deadline-timer.js'
import { createRtpIo } from '../../../src/media/embedded/rtp/create-rtp-io.js'
import { ipv4ToNumber } from '../../../src/media/embedded/rtp/ipv4.js'
import type { PacketHandler, RtpIo, RtpIoKind, RtpSocketPair } from '../../../src/media/embedded/rtp/rtp-io.js'
import { isPortBound } from '../../support/ports.js'

/**
 * The RtpIo contract, run against both implementations: real UDP peers on 127.0.0.1
 * (node:dgram) on one side, the io under test on the other. Ports 43000-43999.
 */

const HOST = '127.0.0.1'
const HOST_U32 = ipv4ToNumber(HOST)
const PORT_MIN = 43000
const PORT_MAX = 43999
/** native/rtp_io.c: bytes per receive slot; longer datagrams are cut and handed over empty */
const NATIVE_SLOT_BYTES = 2048
/** native/rtp_io.c: datagrams per recvmmsg batch */
const NATIVE_BATCH = 256
const KINDS: RtpIoKind[] = ['native', 'dgram']

const silent = pino({ level: 'silent' })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls `cond` every few ms; false when it is still not true after `timeoutMs`. */
async function waitUntil(cond: () => boolean, timeoutMs = 2000): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > end) return false
    await sleep(2)
  }
  return true
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  if (!(await waitUntil(cond, timeoutMs))) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}

let nextPort = PORT_MIN
/** An even port whose pair (port, port + 1) is free on UDP right now. */
async function freePairPort(): Promise<number> {
  for (let tries = 0; tries < (PORT_MAX - PORT_MIN) / 2; tries++) {
    const port = nextPort
    nextPort = port + 2 > PORT_MAX - 1 ? PORT_MIN : port + 2
    if (!(await isPortBound('udp', port)) && !(await isPortBound('udp', port + 1))) return port
  }
  throw new Error(`no free UDP port pair in ${PORT_MIN}-${PORT_MAX}`)
}

interface Received {
  bytes: Buffer
  address: number
  port: number
}

/** A handler that keeps a copy (the packet is only valid during the call). */
function recorder(into: Received[]): PacketHandler {
  return (packet, address, port) => {
    into.push({ bytes: Buffer.from(packet), address, port })
  }
}

/** A node:dgram socket on 127.0.0.1 that records what it receives; rejects when the port is taken. */
class Peer {
  readonly received: Received[] = []

  private constructor(readonly socket: dgram.Socket) {
    socket.on('message', (msg, rinfo) => this.received.push({ bytes: msg, address: ipv4ToNumber(rinfo.address), port: rinfo.port }))
  }

  static bind(port = 0): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket('udp4')
      socket.once('error', (err) => {
        socket.close()
        reject(err)
      })
      socket.bind({ address: HOST, port, exclusive: true }, () => resolve(new Peer(socket)))
    })
  }

  get port(): number {
    return this.socket.address().port
  }

  send(bytes: Uint8Array, port: number): void {
    this.socket.send(bytes, port, HOST)
  }

  close(): void {
    this.socket.close()
  }
}

/** Runs `fn` with the process's uncaughtException listeners swapped for a recorder. */
async function catchingUncaught(fn: () => Promise<void>): Promise<unknown[]> {
  const saved = process.listeners('uncaughtException')
  const escaped: unknown[] = []
  const record = (err: unknown): void => {
    escaped.push(err)
  }
  process.removeAllListeners('uncaughtException')
  process.on('uncaughtException', record)
  try {
    await fn()
  } finally {
    process.off('uncaughtException', record)
    for (const listener of saved) process.on('uncaughtException', listener)
  }
  return escaped
}

describe('createRtpIo', () => {
  it("gives the native I/O for 'native' on Linux (npm install builds the addon; CI must run this path)", () => {
    const io = createRtpIo('native', silent)
    try {
      expect(io.kind).toBe('native')
    } finally {
      io.close()
    }
  })

  it("gives the dgram I/O for 'dgram'", () => {
    const io = createRtpIo('dgram', silent)
    io.close()
    expect(io.kind).toBe('dgram')
  })
})

describe.each(KINDS)('RtpIo contract (%s)', (kind) => {
  let io: RtpIo
  const pairs: RtpSocketPair[] = []
  const peers: Peer[] = []

  const bind = async (): Promise<RtpSocketPair> => {
    const pair = await io.bindPair(HOST, await freePairPort())
    pairs.push(pair)
    return pair
  }
  const peer = async (port = 0): Promise<Peer> => {
    const p = await Peer.bind(port)
    peers.push(p)
    return p
  }

  beforeEach(() => {
    io = createRtpIo(kind, silent)
    expect(io.kind).toBe(kind)
  })

  afterEach(() => {
    for (const pair of pairs.splice(0)) pair.close()
    io.close()
    for (const p of peers.splice(0)) p.close()
  })

  describe('receive and send', () => {
    it('bindPair binds RTP on port and RTCP on port + 1: each gets its datagrams with bytes, source address and port', async () => {
      const pair = await bind()
      expect(pair.port % 2).toBe(0)
      expect(await isPortBound('udp', pair.port)).toBe(true)
      expect(await isPortBound('udp', pair.port + 1)).toBe(true)
      const rtp: Received[] = []
      const rtcp: Received[] = []
      pair.onRtp = recorder(rtp)
      pair.onRtcp = recorder(rtcp)
      const far = await peer()
      far.send(Buffer.from([0x80, 0x00, 0x12, 0x34, 1, 2, 3, 4]), pair.port)
      far.send(Buffer.from([0x81, 0xc8, 0x00, 0x06]), pair.port + 1)
      await waitFor(() => rtp.length === 1 && rtcp.length === 1, 'one RTP and one RTCP datagram')
      expect(rtp).toEqual([{ bytes: Buffer.from([0x80, 0x00, 0x12, 0x34, 1, 2, 3, 4]), address: HOST_U32, port: far.port }])
      expect(rtcp).toEqual([{ bytes: Buffer.from([0x81, 0xc8, 0x00, 0x06]), address: HOST_U32, port: far.port }])
    })

    it('sendRtp delivers exactly the bytes to the peer, from the RTP port', async () => {
      const pair = await bind()
      const far = await peer()
      const packet = Buffer.alloc(172, 0)
      for (let i = 0; i < packet.length; i++) packet[i] = (i * 7) & 0xff
      // a view into a larger buffer: only the viewed bytes go out
      const backing = Buffer.concat([Buffer.from('xx'), packet, Buffer.from('yy')])
      expect(pair.sendRtp(backing.subarray(2, 2 + packet.length), HOST_U32, far.port)).toBe(true)
      expect(pair.sendRtp(Buffer.from('second'), HOST_U32, far.port)).toBe(true)
      await waitFor(() => far.received.length === 2, 'two datagrams at the peer')
      expect(far.received).toEqual([
        { bytes: packet, address: HOST_U32, port: pair.port },
        { bytes: Buffer.from('second'), address: HOST_U32, port: pair.port },
      ])
    })

    it('sendRtp to port 0 returns false instead of throwing', async () => {
      const pair = await bind()
      expect(pair.sendRtp(Buffer.from('nowhere'), HOST_U32, 0)).toBe(false)
    })

    it(`a burst of 600 datagrams from 3 peers to 4 pairs (more than one native batch of ${NATIVE_BATCH}) all arrive, in order per source`, async () => {
      const PEERS = 3
      const PAIRS = 4
      const EACH = 50
      const got: Received[][] = []
      const targets: RtpSocketPair[] = []
      for (let i = 0; i < PAIRS; i++) {
        const pair = await bind()
        const into: Received[] = []
        pair.onRtp = recorder(into)
        targets.push(pair)
        got.push(into)
      }
      const senders: Peer[] = []
      for (let i = 0; i < PEERS; i++) senders.push(await peer())
      // RTP-sized datagrams naming sender, target and sequence
      const packet = (from: number, to: number, seq: number): Buffer => {
        const b = Buffer.alloc(172, from * 16 + to)
        b.writeUInt8(from, 0)
        b.writeUInt8(to, 1)
        b.writeUInt16BE(seq, 2)
        return b
      }
      for (let seq = 0; seq < EACH; seq++) {
        for (let from = 0; from < PEERS; from++) {
          for (let to = 0; to < PAIRS; to++) senders[from].send(packet(from, to, seq), targets[to].port)
        }
      }
      const total = (): number => got.reduce((n, into) => n + into.length, 0)
      await waitFor(() => total() === PEERS * PAIRS * EACH, `${PEERS * PAIRS * EACH} datagrams`)
      for (let to = 0; to < PAIRS; to++) {
        for (let from = 0; from < PEERS; from++) {
          const fromPeer = got[to].filter((r) => r.port === senders[from].port)
          expect(fromPeer.map((r) => r.bytes.readUInt16BE(2))).toEqual([...Array(EACH).keys()])
          expect(fromPeer.every((r, seq) => r.address === HOST_U32 && r.bytes.equals(packet(from, to, seq)))).toBe(true)
        }
      }
    })

    it(`a datagram longer than ${NATIVE_SLOT_BYTES} bytes does not throw; the packets after it arrive intact`, async () => {
      const pair = await bind()
      const rtp: Received[] = []
      pair.onRtp = recorder(rtp)
      const far = await peer()
      const lengths = [NATIVE_SLOT_BYTES, NATIVE_SLOT_BYTES + 1, 3000, 65507, 100]
      const sent = lengths.map((n, k) => Buffer.alloc(n, k + 1))
      for (const b of sent) far.send(b, pair.port)
      await waitFor(() => rtp.length === sent.length, `${sent.length} datagrams`)
      // native hands a cut datagram over empty (the endpoint counts it as malformed); dgram has room for it whole
      const expected = kind === 'native' ? [sent[0], Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0), sent[4]] : sent
      expect(rtp.map((r) => r.bytes)).toEqual(expected)
      expect(rtp.every((r) => r.port === far.port && r.address === HOST_U32)).toBe(true)
    })
  })

  describe('bind failures', () => {
    it('binding over a taken RTP port rejects with EADDRINUSE and leaves port + 1 free', async () => {
      const port = await freePairPort()
      await peer(port)
      await expect(io.bindPair(HOST, port)).rejects.toMatchObject({ code: 'EADDRINUSE' })
      await expect(peer(port + 1)).resolves.toBeInstanceOf(Peer)
    })

    it('binding over a taken RTCP port rejects with EADDRINUSE and frees the RTP port again', async () => {
      const port = await freePairPort()
      const squatter = await Peer.bind(port + 1)
      await expect(io.bindPair(HOST, port)).rejects.toMatchObject({ code: 'EADDRINUSE' })
      const rtpAgain = await Peer.bind(port)
      rtpAgain.close()
      squatter.close()
      // and the io takes the pair once it is free
      const pair = await io.bindPair(HOST, port)
      pairs.push(pair)
      expect(pair.port).toBe(port)
    })
  })

  describe('close', () => {
    it('close() frees both ports, stops delivery to the old handlers and makes sendRtp return false', async () => {
      const pair = await bind()
      const rtp: Received[] = []
      const rtcp: Received[] = []
      pair.onRtp = recorder(rtp)
      pair.onRtcp = recorder(rtcp)
      const far = await peer()
      pair.close()
      expect(() => pair.close()).not.toThrow()
      expect(pair.sendRtp(Buffer.from('after close'), HOST_U32, far.port)).toBe(false)
      // the ports are free: plain sockets can take them, and they get what is sent there
      const rtpAgain = await peer(pair.port)
      const rtcpAgain = await peer(pair.port + 1)
      far.send(Buffer.from('rtp'), pair.port)
      far.send(Buffer.from('rtcp'), pair.port + 1)
      await waitFor(() => rtpAgain.received.length === 1 && rtcpAgain.received.length === 1, 'the datagrams at the new sockets')
      expect(rtp).toEqual([])
      expect(rtcp).toEqual([])
      expect(far.received).toEqual([])
    })

    it('a closed pair stays closed: its sendRtp, onRtp and a second close() do not reach pairs bound after it', async () => {
      const stale = await bind()
      stale.close()
      // enough pairs after it that the io hands out the closed pair's resources again
      const later: RtpSocketPair[] = []
      const got: Received[][] = []
      for (let i = 0; i < 40; i++) {
        const pair = await bind()
        const into: Received[] = []
        pair.onRtp = recorder(into)
        later.push(pair)
        got.push(into)
      }
      const far = await peer()
      const stolen: Received[] = []
      const staleSendAccepted = stale.sendRtp(Buffer.from('from a closed pair'), HOST_U32, far.port)
      const round = async (n: number): Promise<number[]> => {
        const before = got.map((into) => into.length)
        for (const [i, pair] of later.entries()) far.send(Buffer.from(`round ${n} to pair ${i}`), pair.port)
        const arrived = (i: number): boolean => got[i].length === before[i] + 1
        await waitUntil(() => got.every((_, i) => arrived(i)), 400)
        return got.flatMap((_, i) => (arrived(i) ? [] : [i]))
      }
      stale.onRtp = recorder(stolen)
      const missedAfterStaleOnRtp = await round(1)
      stale.close()
      const missedAfterStaleClose = await round(2)
      expect({
        staleSendAccepted,
        heardByPeer: far.received.map((r) => `${r.bytes.toString()} (from port ${r.port})`),
        stolenByStaleHandler: stolen.map((r) => r.bytes.toString()),
        missedAfterStaleOnRtp,
        missedAfterStaleClose,
      }).toEqual({ staleSendAccepted: false, heardByPeer: [], stolenByStaleHandler: [], missedAfterStaleOnRtp: [], missedAfterStaleClose: [] })
    })

    it('io.close() with pairs open and the timer armed: no throw, and the timer never fires', async () => {
      const a = await bind()
      const b = await bind()
      const far = await peer()
      let fired = 0
      const deadline = monotonicMs() + 20
      io.timer.arm(deadline, () => fired++)
      expect(() => io.close()).not.toThrow()
      expect(() => io.close()).not.toThrow()
      expect(() => a.close()).not.toThrow()
      expect(() => b.sendRtp(Buffer.from('late'), HOST_U32, far.port)).not.toThrow()
      expect(() => io.timer.cancel()).not.toThrow()
      await sleep(deadline + 30 - monotonicMs())
      expect(fired).toBe(0)
    })
  })

  describe('handlers that throw or close', () => {
    it('a handler that throws does not stop the later packets of the socket, and nothing escapes to the process', async () => {
      const pair = await bind()
      const seen: string[] = []
      pair.onRtp = (packet) => {
        seen.push(Buffer.from(packet).toString())
        throw new Error('handler bug')
      }
      const far = await peer()
      const escaped = await catchingUncaught(async () => {
        for (let i = 0; i < 5; i++) far.send(Buffer.from(`p${i}`), pair.port)
        await waitFor(() => seen.length === 5, 'five packets at the throwing handler')
      })
      expect(seen).toEqual(['p0', 'p1', 'p2', 'p3', 'p4'])
      expect(escaped).toEqual([])
    })

    it('a handler that closes its own pair mid-batch: no crash, the rest of its queued packets are not delivered', async () => {
      const a = await bind()
      const sentinel = await bind()
      const toA: string[] = []
      a.onRtp = (packet) => {
        toA.push(Buffer.from(packet).toString())
        a.close()
      }
      const atSentinel: Received[] = []
      sentinel.onRtp = recorder(atSentinel)
      const far = await peer()
      // sent in one go: the native io reads them in one batch
      for (let i = 0; i < 5; i++) far.send(Buffer.from(`a${i}`), a.port)
      far.send(Buffer.from('sentinel'), sentinel.port)
      await waitFor(() => atSentinel.length === 1, 'the sentinel packet')
      expect(toA).toEqual(['a0'])
    })

    it('a handler that closes another pair mid-batch: no crash, that pair gets nothing after its close', async () => {
      const a = await bind()
      const b = await bind()
      const sentinel = await bind()
      let bClosed = false
      const toA: string[] = []
      const toBAfterClose: string[] = []
      a.onRtp = (packet) => {
        toA.push(Buffer.from(packet).toString())
        if (!bClosed) {
          b.close()
          bClosed = true
        }
      }
      b.onRtp = (packet) => {
        if (bClosed) toBAfterClose.push(Buffer.from(packet).toString())
      }
      const atSentinel: Received[] = []
      sentinel.onRtp = recorder(atSentinel)
      const far = await peer()
      far.send(Buffer.from('a0'), a.port)
      for (let i = 0; i < 5; i++) far.send(Buffer.from(`b${i}`), b.port)
      far.send(Buffer.from('a1'), a.port)
      far.send(Buffer.from('sentinel'), sentinel.port)
      await waitFor(() => atSentinel.length === 1, 'the sentinel packet')
      expect(toA).toEqual(['a0', 'a1'])
      expect(bClosed).toBe(true)
      expect(toBAfterClose).toEqual([])
      // and b's ports are free again
      expect(await isPortBound('udp', b.port)).toBe(false)
      expect(await isPortBound('udp', b.port + 1)).toBe(false)
    })
  })

  describe('deadline timer', () => {
    // LoopDeadlineTimer counts ON_TIME_MS before the deadline as on time (deadline-timer.ts); the timerfd is exact
    const earliest = (deadline: number): number => (kind === 'dgram' ? deadline - ON_TIME_MS : deadline)

    it('arm(deadline) fires once, not before the deadline and not much after it', async () => {
      const fired: number[] = []
      const deadline = monotonicMs() + 20
      io.timer.arm(deadline, () => fired.push(monotonicMs()))
      await waitFor(() => fired.length > 0, 'the timer')
      await sleep(30)
      expect(fired).toHaveLength(1)
      expect(fired[0]).toBeGreaterThanOrEqual(earliest(deadline))
      expect(fired[0] - deadline).toBeLessThan(50)
    })

    it('cancel() before the deadline: the timer does not fire', async () => {
      let fired = 0
      const deadline = monotonicMs() + 10
      io.timer.arm(deadline, () => fired++)
      io.timer.cancel()
      await sleep(deadline + 30 - monotonicMs())
      expect(fired).toBe(0)
    })

    it('arm() again replaces the pending deadline, later or earlier', async () => {
      const start = monotonicMs()
      const fired: string[] = []
      let laterAt = 0
      io.timer.arm(start + 5, () => fired.push('first'))
      io.timer.arm(start + 25, () => {
        fired.push('later')
        laterAt = monotonicMs()
      })
      await waitFor(() => fired.length > 0, 'the re-armed timer')
      expect(fired).toEqual(['later'])
      expect(laterAt).toBeGreaterThanOrEqual(earliest(start + 25))

      const next = monotonicMs()
      io.timer.arm(next + 60, () => fired.push('replaced'))
      io.timer.arm(next + 10, () => fired.push('earlier'))
      await waitFor(() => fired.length > 1, 'the earlier deadline')
      await sleep(next + 80 - monotonicMs())
      expect(fired).toEqual(['later', 'earlier'])
    })

    it('arm() from inside the callback chains deadlines, as the pacer does', async () => {
      const start = monotonicMs()
      const deadlines = [start + 5, start + 10, start + 15, start + 20]
      const fired: number[] = []
      const tick = (): void => {
        fired.push(monotonicMs())
        if (fired.length < deadlines.length) io.timer.arm(deadlines[fired.length], tick)
      }
      io.timer.arm(deadlines[0], tick)
      await waitFor(() => fired.length === deadlines.length, 'four chained firings')
      fired.forEach((at, i) => expect(at).toBeGreaterThanOrEqual(earliest(deadlines[i])))
      expect(fired[3] - deadlines[3]).toBeLessThan(50)
    })
  })
})
