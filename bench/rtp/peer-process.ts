/**
 * The far ends of the RTP load bench, in their own process (several of them: generating
 * the load must neither share the engine's event loop nor be the bottleneck). Driven
 * over IPC by bench/rtp-load.ts:
 *
 *   { cmd: 'bind', firstPort, count }                 → { ports }   (explicit ports, outside the ephemeral range)
 *   { cmd: 'bridge', targets, durationMs, warmupMs }  → BridgeReport
 *   { cmd: 'prompts', first, count, durationMs, warmupMs } → PromptReport
 *   { cmd: 'exit' }
 *
 * Bridge mode: local legs 2i and 2i+1 are the two ends of one call; leg i sends a 20 ms
 * PCMU packet to targets[i] at real pace (legs spread over 10 phases 2 ms apart, as
 * independent phones would be). The payload carries the leg number, a per-leg counter
 * and the send time (process.hrtime, the same CLOCK_MONOTONIC in every process), so the
 * partner leg measures one-way latency and knows exactly which packets never arrived.
 *
 * Loss = packets a leg sent (all while the call was bridged: the bench bridges before
 * the start and closes after the drain) that its partner never received, counted by
 * counter, so duplicates cannot hide losses. Missing packets are classified as the
 * first one of a leg, the last one, or in the middle, to tell start-up and shut-down
 * artefacts from real loss.
 */
import dgram from 'node:dgram'
import { createHistogram, record } from './histogram.js'

const now = (): number => Number(process.hrtime.bigint()) / 1e6
const PHASES = 10
const PACKET_BYTES = 172 // 12-byte RTP header + 160 bytes of G.711
const DRAIN_MS = 1000
const sockets: dgram.Socket[] = []

export interface BridgeReport {
  sent: number
  received: number
  duplicates: number
  lost: { first: number; last: number; middle: number }
  latency: number[]
  cpuMs: number
  wallMs: number
  /** longest gap between two runs of the send loop (ms): the peer's own lateness */
  maxLoopLagMs: number
}

export interface PromptReport {
  received: number
  jitter: number[]
  cpuMs: number
  wallMs: number
}

async function bind(firstPort: number, count: number): Promise<number[]> {
  const ports: number[] = []
  for (let port = firstPort; ports.length < count && port < 65536; port++) {
    const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20, sendBufferSize: 1 << 20 })
    s.on('error', () => undefined) // ICMP port unreachable on a connected socket after the engine closed the endpoint
    const ok = await new Promise<boolean>((resolve) => {
      s.once('error', () => resolve(false))
      s.bind({ port, address: '127.0.0.1', exclusive: true }, () => resolve(true))
    })
    if (!ok) continue
    sockets.push(s)
    ports.push(port)
  }
  return ports
}

function cpuMs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start)
  return (d.user + d.system) / 1000
}

async function bridge(targets: number[], durationMs: number, warmupMs: number): Promise<BridgeReport> {
  const legs = targets.length
  const maxPackets = Math.ceil(durationMs / 20) + 2
  const seen = new Uint8Array(legs * maxPackets) // seen[leg * maxPackets + counter] by the receiving leg
  const sentBy = new Uint32Array(legs)
  const latency = createHistogram()
  let received = 0
  let duplicates = 0
  const t0 = now()
  const measureFrom = t0 + warmupMs
  const mine = sockets.slice(0, legs)
  mine.forEach((s, i) => {
    s.removeAllListeners('message')
    s.on('message', (msg: Buffer) => {
      if (msg.length < 24) return
      const from = msg.readUInt32BE(12)
      const counter = msg.readUInt32BE(16)
      if (from >= legs || (from ^ 1) !== i || counter >= maxPackets) return
      const k = from * maxPackets + counter
      if (seen[k]) {
        duplicates++
        return
      }
      seen[k] = 1
      received++
      const sentAt = msg.readDoubleBE(20)
      if (sentAt >= measureFrom) record(latency, now() - sentAt)
    })
  })
  const ssrc = Uint32Array.from({ length: legs }, () => (Math.random() * 0xffffffff) >>> 0)
  // connected sockets: the kernel knows the destination, send() skips address handling
  await Promise.all(mine.map((s, i) => new Promise<void>((r) => s.connect(targets[i], '127.0.0.1', () => r()))))
  const cpu0 = process.cpuUsage()
  const start = now()
  let maxLoopLagMs = 0
  await new Promise<void>((resolve) => {
    let phase = 0
    let deadline = start
    const end = start + durationMs
    const loop = (): void => {
      const t = now()
      if (t - deadline > maxLoopLagMs) maxLoopLagMs = t - deadline
      while (t >= deadline) {
        if (deadline >= end) return resolve()
        for (let i = phase; i < legs; i += PHASES) {
          const pkt = Buffer.allocUnsafe(PACKET_BYTES) // from the pool; a queued send keeps its own bytes
          const n = sentBy[i]++
          pkt[0] = 0x80
          pkt[1] = 0
          pkt.writeUInt16BE(n & 0xffff, 2)
          pkt.writeUInt32BE((n * 160) >>> 0, 4)
          pkt.writeUInt32BE(ssrc[i], 8)
          pkt.writeUInt32BE(i, 12)
          pkt.writeUInt32BE(n, 16)
          pkt.writeDoubleBE(now(), 20)
          pkt.fill(0xff, 28)
          mine[i].send(pkt)
        }
        phase = (phase + 1) % PHASES
        deadline += 20 / PHASES
      }
      setTimeout(loop, Math.max(0, Math.floor(deadline - now())))
    }
    loop()
  })
  const wallMs = now() - start
  const cpu = cpuMs(cpu0)
  await new Promise((r) => setTimeout(r, DRAIN_MS)) // packets in flight
  for (const s of mine) {
    s.removeAllListeners('message')
    s.disconnect()
  }
  let sent = 0
  const lost = { first: 0, last: 0, middle: 0 }
  for (let leg = 0; leg < legs; leg++) {
    const n = sentBy[leg]
    sent += n
    const base = leg * maxPackets
    for (let c = 0; c < n; c++) {
      if (seen[base + c]) continue
      if (c === 0) lost.first++
      else if (c === n - 1) lost.last++
      else lost.middle++
    }
  }
  return { sent, received, duplicates, lost, latency: Array.from(latency), cpuMs: cpu, wallMs, maxLoopLagMs }
}

async function prompts(first: number, count: number, durationMs: number, warmupMs: number): Promise<PromptReport> {
  const last = new Float64Array(count)
  const jitter = createHistogram()
  let received = 0
  const t0 = now()
  const cpu0 = process.cpuUsage()
  const mine = sockets.slice(first, first + count)
  mine.forEach((s, i) => {
    s.removeAllListeners('message')
    s.on('message', () => {
      received++
      const at = now()
      if (last[i] > 0 && at - t0 >= warmupMs) record(jitter, Math.abs(at - last[i] - 20))
      last[i] = at
    })
  })
  await new Promise((r) => setTimeout(r, durationMs))
  for (const s of mine) s.removeAllListeners('message')
  return { received, jitter: Array.from(jitter), cpuMs: cpuMs(cpu0), wallMs: now() - t0 }
}

process.on('message', (msg: any) => {
  void (async () => {
    if (msg.cmd === 'bind') process.send!({ ports: await bind(msg.firstPort, msg.count) })
    else if (msg.cmd === 'bridge') process.send!(await bridge(msg.targets, msg.durationMs, msg.warmupMs))
    else if (msg.cmd === 'prompts') process.send!(await prompts(msg.first, msg.count, msg.durationMs, msg.warmupMs))
    else if (msg.cmd === 'exit') {
      for (const s of sockets) s.close()
      process.exit(0)
    }
  })()
})
