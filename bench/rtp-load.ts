/**
 * RTP media engine load bench (not a test): N concurrent bridged calls with RTP both
 * ways at real pace, the far ends in a separate child process (bench/rtp/peer-process.ts).
 *
 *   npx tsx --expose-gc bench/rtp-load.ts [--calls 100,500,1000] [--seconds 8] [--prompts 200]
 *
 * Per call count: loss, one-way latency through the engine (p50/p99, and the same peers
 * talking directly as a baseline), engine CPU (% of one core), memory per call. Then the
 * prompt cadence jitter at the receiver with --prompts concurrent prompts. Prints one
 * JSON object per scenario, then a markdown table. Every run is bounded (≈ 45 s total
 * with the defaults).
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { createEmbeddedMediaEngine, type EmbeddedEndpoint } from '../src/media/index.js'

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : def
}
const CALLS = arg('calls', '100,500,1000').split(',').map(Number)
const SECONDS = Number(arg('seconds', '8'))
const PROMPTS = Number(arg('prompts', '200'))
const WARMUP_MS = 1000

const child = fork(fileURLToPath(new URL('./rtp/peer-process.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] })
process.on('exit', () => child.kill())
function rpc<T>(msg: unknown): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T))
    child.send(msg as never)
  })
}
const gc = (): void => (globalThis as { gc?: () => void }).gc?.()
const round3 = (n: number | null): number => (typeof n === 'number' ? +n.toFixed(3) : NaN)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function offer(port: number): string {
  return [
    'v=0', 'o=peer 1 1 IN IP4 127.0.0.1', 's=peer', 'c=IN IP4 127.0.0.1', 't=0 0',
    `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv',
  ].join('\r\n') + '\r\n'
}

interface BridgeResult {
  sent: number
  received: number
  lossPercent: number
  latencyMs: { p50: number; p99: number; max: number }
  peerCpuPercent: number
}

const engine = createEmbeddedMediaEngine({ host: '127.0.0.1', portMin: 50000, portMax: 59999, logger: pino({ level: 'silent' }) })
const maxLegs = Math.max(2 * Math.max(...CALLS), PROMPTS)
const { ports } = await rpc<{ ports: number[] }>({ cmd: 'bind', count: maxLegs })
const rows: string[] = []
const results: unknown[] = []

// baseline: the same peers talking to each other directly (no engine) at the largest size
{
  const calls = Math.max(...CALLS)
  const targets = Array.from({ length: 2 * calls }, (_, i) => ports[i % 2 === 0 ? i + 1 : i - 1])
  const r = await rpc<BridgeResult>({ cmd: 'bridge', targets, durationMs: Math.min(SECONDS, 5) * 1000, warmupMs: WARMUP_MS })
  const result = { scenario: 'baseline-direct', calls, lossPercent: +r.lossPercent.toFixed(4), latencyMs: { p50: +r.latencyMs.p50.toFixed(2), p99: +r.latencyMs.p99.toFixed(2) }, peerCpuPercent: +r.peerCpuPercent.toFixed(1) }
  results.push(result)
  console.log(JSON.stringify(result))
  rows.push(`| ${calls} direct, no engine | ${r.sent} | ${result.lossPercent} % | ${result.latencyMs.p50} / ${result.latencyMs.p99} | – | ${result.peerCpuPercent} % | – |`)
}

for (const calls of CALLS) {
  gc()
  await sleep(100)
  const mem0 = process.memoryUsage()
  const eps: EmbeddedEndpoint[] = []
  for (let i = 0; i < 2 * calls; i++) eps.push(await engine.createEndpoint({ remoteSdp: offer(ports[i]) }))
  for (let i = 0; i < calls; i++) await eps[2 * i].bridge(eps[2 * i + 1])
  gc()
  await sleep(100)
  const mem1 = process.memoryUsage()
  const before = engine.stats().counters
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const r = await rpc<BridgeResult>({ cmd: 'bridge', targets: eps.map((e) => e.port), durationMs: SECONDS * 1000, warmupMs: WARMUP_MS })
  const wall = performance.now() - t0 - 500 // the peer waits 500 ms for packets in flight
  const cpu = process.cpuUsage(cpu0)
  const after = engine.stats().counters
  await Promise.all(eps.map((e) => e.close()))
  const result = {
    scenario: 'bridge',
    calls,
    seconds: SECONDS,
    packetsSent: r.sent,
    packetsReceived: r.received,
    lossPercent: Number(r.lossPercent.toFixed(4)),
    latencyMs: { p50: +r.latencyMs.p50.toFixed(2), p99: +r.latencyMs.p99.toFixed(2), max: +r.latencyMs.max.toFixed(2) },
    engineCpuPercent: +(((cpu.user + cpu.system) / 1000 / wall) * 100).toFixed(1),
    peerCpuPercent: +r.peerCpuPercent.toFixed(1),
    engineDropped: Object.fromEntries(Object.entries(after.dropped).map(([k, v]) => [k, v - before.dropped[k as keyof typeof before.dropped]])),
    memoryPerCall: {
      rssKiB: +((mem1.rss - mem0.rss) / calls / 1024).toFixed(1),
      heapKiB: +((mem1.heapUsed - mem0.heapUsed) / calls / 1024).toFixed(1),
    },
  }
  results.push(result)
  console.log(JSON.stringify(result))
  rows.push(
    `| ${calls} | ${result.packetsSent} | ${result.lossPercent} % | ${result.latencyMs.p50} / ${result.latencyMs.p99} | ${result.engineCpuPercent} % | ${result.peerCpuPercent} % | ${result.memoryPerCall.rssKiB} / ${result.memoryPerCall.heapKiB} |`,
  )
  await sleep(300)
}

// prompt cadence: PROMPTS endpoints each playing a looping tone, jitter at the receiver
{
  // fresh (never connected) peer sockets for the prompt receivers
  const offset = ports.length
  const fresh = (await rpc<{ ports: number[] }>({ cmd: 'bind', count: PROMPTS })).ports
  const eps: EmbeddedEndpoint[] = []
  for (let i = 0; i < PROMPTS; i++) eps.push(await engine.createEndpoint({ remoteSdp: offer(fresh[i]) }))
  const ac = new AbortController()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const playing = eps.map((e) => e.play({ type: 'tone', freqs: [440, 480], durationMs: 2000, loop: 0 }, ac.signal))
  const r = await rpc<{ received: number; jitterMs: { p50: number; p99: number; max: number }; samples: number }>({
    cmd: 'prompts',
    legs: PROMPTS,
    offset,
    durationMs: SECONDS * 1000,
    warmupMs: WARMUP_MS,
  })
  const cpu = process.cpuUsage(cpu0)
  const wall = performance.now() - t0
  ac.abort()
  await Promise.all(playing)
  await Promise.all(eps.map((e) => e.close()))
  const result = {
    scenario: 'prompts',
    prompts: PROMPTS,
    packetsReceived: r.received,
    expectedPackets: Math.floor((PROMPTS * SECONDS * 1000) / 20),
    jitterMs: { p50: round3(r.jitterMs.p50), p99: round3(r.jitterMs.p99), max: round3(r.jitterMs.max) },
    engineCpuPercent: +(((cpu.user + cpu.system) / 1000 / wall) * 100).toFixed(1),
    pacerResyncs: engine.pacer.resyncs,
  }
  results.push(result)
  console.log(JSON.stringify(result))
  rows.push('', '| concurrent prompts | packets received / expected | inter-arrival jitter p50 / p99 / max | engine CPU |', '|---|---|---|---|')
  rows.push(`| ${PROMPTS} | ${r.received} / ${result.expectedPackets} | ${result.jitterMs.p50} / ${result.jitterMs.p99} / ${result.jitterMs.max} ms | ${result.engineCpuPercent} % |`)
}

await rpc({ cmd: 'exit' }).catch(() => undefined)
await engine.close()
console.log('\n| bridged calls | packets sent | loss | one-way latency p50 / p99 (ms) | engine CPU (1 core = 100 %) | peer-process CPU | memory per call RSS / heap (KiB) |')
console.log('|---|---|---|---|---|---|---|')
for (const r of rows) console.log(r)
process.exit(0)
