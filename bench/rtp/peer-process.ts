/**
 * The far ends of the RTP load bench, in their own process (so that generating load does
 * not share the engine's event loop). Driven over IPC by bench/rtp-load.ts:
 *
 *   { cmd: 'bind', count }                       → { ports }
 *   { cmd: 'bridge', targets, durationMs, warmupMs } → loss / latency of relayed packets
 *   { cmd: 'prompts', legs, offset, durationMs, warmupMs } → inter-arrival jitter of prompt packets (fresh sockets from `offset`)
 *   { cmd: 'exit' }
 *
 * Bridge mode: every leg sends a 20 ms PCMU packet at real pace (legs spread over 10
 * phases 2 ms apart, as independent phones would be); the payload starts with the send
 * time and the leg number, so the receiving leg measures one-way latency through the
 * engine. Both legs live here, so one clock serves both ends.
 */
import dgram from 'node:dgram'
import { percentile } from './percentile.js'

const now = (): number => Number(process.hrtime.bigint()) / 1e6
const sockets: dgram.Socket[] = []
const PHASES = 10

function reply(msg: unknown): void {
  process.send!(msg)
}

async function bind(count: number): Promise<number[]> {
  const ports: number[] = []
  for (let i = 0; i < count; i++) {
    const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 256 * 1024 })
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))
    s.on('error', () => undefined) // ICMP port unreachable on a connected socket after the engine closed the endpoint
    sockets.push(s)
    ports.push(s.address().port)
  }
  return ports
}

function cpuPercent(start: NodeJS.CpuUsage, wallMs: number): number {
  const d = process.cpuUsage(start)
  return ((d.user + d.system) / 1000 / wallMs) * 100
}

async function bridge(targets: number[], durationMs: number, warmupMs: number) {
  const legs = targets.length
  const latencies = new Float64Array(Math.ceil((legs * (durationMs + 1000)) / 20))
  let nLat = 0
  let received = 0
  let sent = 0
  const t0 = now()
  const measureFrom = t0 + warmupMs
  sockets.slice(0, legs).forEach((s) => {
    s.removeAllListeners('message')
    s.on('message', (msg: Buffer) => {
      received++
      if (msg.length < 24) return
      const sentAt = msg.readDoubleBE(12)
      const at = now()
      if (sentAt >= measureFrom && nLat < latencies.length) latencies[nLat++] = at - sentAt
    })
  })
  const seq = new Uint16Array(legs)
  const ts = new Uint32Array(legs)
  const ssrc = Uint32Array.from({ length: legs }, () => (Math.random() * 0xffffffff) >>> 0)
  const payload = Buffer.alloc(172, 0xff)
  // connected sockets: the kernel knows the destination, send() skips address handling
  await Promise.all(sockets.slice(0, legs).map((s, i) => new Promise<void>((r) => s.connect(targets[i], '127.0.0.1', () => r()))))
  const cpu0 = process.cpuUsage()
  await new Promise<void>((resolve) => {
    let phase = 0
    let deadline = t0
    const end = t0 + durationMs
    const loop = (): void => {
      const t = now()
      while (t >= deadline) {
        if (deadline >= end) return resolve()
        for (let i = phase; i < legs; i += PHASES) {
          const pkt = Buffer.from(payload)
          pkt[0] = 0x80
          pkt[1] = 0
          pkt.writeUInt16BE(seq[i]++, 2)
          pkt.writeUInt32BE((ts[i] += 160), 4)
          pkt.writeUInt32BE(ssrc[i], 8)
          pkt.writeDoubleBE(now(), 12)
          pkt.writeUInt32BE(i, 20)
          sockets[i].send(pkt)
          sent++
        }
        phase = (phase + 1) % PHASES
        deadline += 20 / PHASES
      }
      setTimeout(loop, Math.max(0, Math.floor(deadline - now())))
    }
    loop()
  })
  const wall = now() - t0
  const peerCpu = cpuPercent(cpu0, wall)
  await new Promise((r) => setTimeout(r, 500)) // in flight
  for (const s of sockets.slice(0, legs)) s.disconnect()
  return {
    sent,
    received,
    lossPercent: sent ? ((sent - received) / sent) * 100 : 0,
    latencyMs: { p50: percentile(latencies, 50, nLat), p99: percentile(latencies, 99, nLat), max: percentile(latencies, 100, nLat) },
    peerCpuPercent: peerCpu,
  }
}

async function prompts(legs: number, durationMs: number, warmupMs: number, offset = 0) {
  const last = new Float64Array(legs)
  const jitter = new Float64Array(Math.ceil((legs * durationMs) / 20) + legs * 10)
  let n = 0
  let received = 0
  const t0 = now()
  sockets.slice(offset, offset + legs).forEach((s, i) => {
    s.removeAllListeners('message')
    s.on('message', () => {
      received++
      const at = now()
      if (last[i] > 0 && at - t0 >= warmupMs && n < jitter.length) jitter[n++] = Math.abs(at - last[i] - 20)
      last[i] = at
    })
  })
  await new Promise((r) => setTimeout(r, durationMs))
  return { received, jitterMs: { p50: percentile(jitter, 50, n), p99: percentile(jitter, 99, n), max: percentile(jitter, 100, n) }, samples: n }
}

process.on('message', (msg: any) => {
  void (async () => {
    if (msg.cmd === 'bind') reply({ ports: await bind(msg.count) })
    else if (msg.cmd === 'bridge') reply(await bridge(msg.targets, msg.durationMs, msg.warmupMs))
    else if (msg.cmd === 'prompts') reply(await prompts(msg.legs, msg.durationMs, msg.warmupMs, msg.offset))
    else if (msg.cmd === 'exit') {
      for (const s of sockets) s.close()
      process.exit(0)
    }
  })()
})
