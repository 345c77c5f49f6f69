/**
 * RTP media engine load bench (not a test): N concurrent bridged calls with RTP both
 * ways at real pace; the far ends live in --peers child processes (bench/rtp/peer-process.ts),
 * the engine runs alone in this process's event loop.
 *
 *   npx tsx --expose-gc bench/rtp-load.ts [--calls 100,300,500,1000] [--seconds 8] [--prompts 200]
 *                                          [--peers 2|c] [--engine embedded|plain] [--baseline 0]
 *                                          [--io native|dgram]
 *
 * `--peers c` generates the load with bench/rtp/rtp-peers.c instead (built with `cc -O2`
 * into a temporary directory; the Node peers are used when that fails): one process, one
 * thread, a fraction of the Node peers' CPU, arrival times from the kernel's receive
 * timestamp. `--peers N` (default 2) forks N Node peer processes.
 *
 * Per call count: loss (packets a leg sent that its partner never received, classified
 * first / middle / last), one-way latency peer → engine → peer (p50/p99), engine CPU
 * (this process, % of one core, and µs per relayed packet), peer CPU (sum of the peer
 * processes), memory per call, kernel UDP drops during the run. `--engine plain` runs the
 * same load through a minimal Node relay (bench/rtp/plain-relay.ts): the floor for a
 * one-socket-per-leg relay in Node on this box. `--baseline N` first runs N calls with
 * the peers talking to each other directly (no relay at all).
 * Then --prompts endpoints each play a looping tone: cadence jitter |gap − 20 ms| at the
 * receiver, and lateness of the pacer's first and last client against the tick deadline.
 * Prints one JSON object per scenario, then markdown rows.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { createEmbeddedMediaEngine, type EmbeddedEndpoint } from '../src/media/index.js'
import { monotonicMs } from '../src/media/embedded/deadline-timer.js'
import { count, createHistogram, merge, percentileOf, record } from './rtp/histogram.js'
import { cpuShare, readCpuTicks } from './rtp/cpu-steal.js'
import { diffKernelDrops, readKernelDrops } from './rtp/kernel-drops.js'
import { buildCPeers, CPeerRun, type CBridgeReport } from './rtp/c-peers.js'
import type { BridgeReport, PromptReport } from './rtp/peer-process.js'
import { PlainRelayLeg } from './rtp/plain-relay.js'

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : def
}
const CALLS = arg('calls', '100,300,500,1000').split(',').map(Number).filter((n) => n > 0)
const SECONDS = Number(arg('seconds', '8'))
const PROMPTS = Number(arg('prompts', '200'))
const C_PEERS = arg('peers', '2') === 'c' ? buildCPeers() : null
/** Node peer processes (the C peers are one process, seen here as one peer) */
const PEERS = C_PEERS ? 1 : Math.max(1, Number(arg('peers', '2')) || 2)
const PEER_KIND = C_PEERS ? 'c' : 'node'
const ENGINE = arg('engine', 'embedded') as 'embedded' | 'plain'
const BASELINE = Number(arg('baseline', '0'))
/** the engine's UDP layer (RTP_IO): native batched I/O or Node dgram */
const IO = arg('io', 'native') as 'native' | 'dgram'
const WARMUP_MS = 1000
/** engine ports and peer ports: both below the ephemeral range (32768+) so no socket of another process lands there */
const ENGINE_PORTS = { min: 20000, max: 27999 }
const PEER_FIRST_PORT = 28000
const PEER_PORT_SPAN = 2300

const r1 = (n: number): number => +n.toFixed(1)
const r2 = (n: number): number => +n.toFixed(2)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const gc = (): void => (globalThis as { gc?: () => void }).gc?.()

// ── peers ────────────────────────────────────────────────────────────────────────
const peerScript = fileURLToPath(new URL('./rtp/peer-process.ts', import.meta.url))
const peers: ChildProcess[] = C_PEERS ? [] : Array.from({ length: PEERS }, () => fork(peerScript, [], { execArgv: ['--import', 'tsx'] }))
let cRun: CPeerRun | null = null
process.on('exit', () => {
  peers.forEach((p) => p.kill())
  cRun?.kill()
  C_PEERS?.dispose()
})
function rpc<T>(peer: ChildProcess, msg: unknown): Promise<T> {
  return new Promise((resolve) => {
    peer.once('message', (m) => resolve(m as T))
    peer.send(msg as never)
  })
}
/** call i lives in peer i % PEERS, as its local legs 2⌊i/P⌋ and 2⌊i/P⌋+1 */
const maxCalls = Math.max(BASELINE, ...CALLS)
const legsOf = (calls: number, k: number): number => 2 * Math.ceil(Math.max(0, calls - k) / PEERS)
/** the C peers bind exactly PEER_FIRST_PORT + leg, one process per scenario */
const peerPorts: number[][] = C_PEERS
  ? [Array.from({ length: legsOf(maxCalls, 0) }, (_, i) => PEER_FIRST_PORT + i)]
  : await Promise.all(
      peers.map((p, k) =>
        rpc<{ ports: number[] }>(p, { cmd: 'bind', firstPort: PEER_FIRST_PORT + k * PEER_PORT_SPAN, count: legsOf(maxCalls, k) + (k === 0 ? PROMPTS : 0) }).then((r) => r.ports),
      ),
    )

/** One C peer process for `targets.length` legs; resolves with its report after the run and the drain. */
async function runCPeers(targets: number[], durationMs: number): Promise<CBridgeReport> {
  cRun = await CPeerRun.start(C_PEERS!.binary, { mode: 'bridge', basePort: PEER_FIRST_PORT, legs: targets.length, seconds: Math.round(durationMs / 1000), warmupMs: WARMUP_MS })
  cRun.go(targets)
  const report = await cRun.bridgeReport()
  cRun = null
  return report
}

function offer(port: number): string {
  return [
    'v=0', 'o=peer 1 1 IN IP4 127.0.0.1', 's=peer', 'c=IN IP4 127.0.0.1', 't=0 0',
    `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv',
  ].join('\r\n') + '\r\n'
}

// ── the relay under test ─────────────────────────────────────────────────────────
const engine = createEmbeddedMediaEngine({ host: '127.0.0.1', portMin: ENGINE_PORTS.min, portMax: ENGINE_PORTS.max, io: IO, logger: pino({ level: 'silent' }) })
let plainPort = ENGINE_PORTS.min
interface Leg {
  port: number
  close(): unknown
}
async function openCall(remoteA: number, remoteB: number): Promise<[Leg, Leg]> {
  if (ENGINE === 'embedded') {
    const a = await engine.createEndpoint({ remoteSdp: offer(remoteA) })
    const b = await engine.createEndpoint({ remoteSdp: offer(remoteB) })
    await a.bridge(b)
    return [a, b]
  }
  const open = async (remote: number): Promise<PlainRelayLeg> => {
    for (;;) {
      const port = plainPort
      plainPort = plainPort + 2 > ENGINE_PORTS.max ? ENGINE_PORTS.min : plainPort + 2
      try {
        return await PlainRelayLeg.open(port, remote)
      } catch {
        /* taken: next */
      }
    }
  }
  const a = await open(remoteA)
  const b = await open(remoteB)
  a.partner = b
  b.partner = a
  return [a, b]
}

interface BridgeRun {
  calls: number
  reports: BridgeReport[]
  engineCpuMs: number
  engineUserMs: number
  engineSystemMs: number
  /** voluntary context switches of the engine process (each one is a sleep in epoll_wait and a wake-up) */
  engineWakeups: number
  runMs: number
}

/** voluntary_ctxt_switches of this process (Linux), 0 elsewhere. */
function voluntarySwitches(): number {
  try {
    return Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0)
  } catch {
    return 0
  }
}

/** Every peer runs its share of `calls` against `targetsOf(k)` at once. */
async function runPeers(calls: number, targetsOf: (k: number) => number[], durationMs: number): Promise<BridgeRun> {
  const cpu0 = process.cpuUsage()
  const sw0 = voluntarySwitches()
  const t0 = monotonicMs()
  const reports: BridgeReport[] = C_PEERS
    ? [await runCPeers(targetsOf(0), durationMs)]
    : await Promise.all(peers.map((p, k) => rpc<BridgeReport>(p, { cmd: 'bridge', targets: targetsOf(k), durationMs, warmupMs: WARMUP_MS })))
  const cpu = process.cpuUsage(cpu0)
  return {
    calls,
    reports,
    engineCpuMs: (cpu.user + cpu.system) / 1000,
    engineUserMs: cpu.user / 1000,
    engineSystemMs: cpu.system / 1000,
    engineWakeups: voluntarySwitches() - sw0,
    runMs: monotonicMs() - t0,
  }
}

function summarise(run: BridgeRun) {
  const latency = createHistogram()
  let sent = 0
  let received = 0
  let duplicates = 0
  const lost = { first: 0, middle: 0, last: 0 }
  let peerCpuMs = 0
  let wallMs = 0
  let maxLoopLagMs = 0
  for (const r of run.reports) {
    merge(latency, r.latency)
    sent += r.sent
    received += r.received
    duplicates += r.duplicates
    lost.first += r.lost.first
    lost.middle += r.lost.middle
    lost.last += r.lost.last
    peerCpuMs += r.cpuMs
    wallMs = Math.max(wallMs, r.wallMs)
    maxLoopLagMs = Math.max(maxLoopLagMs, r.maxLoopLagMs)
  }
  return {
    sent,
    received,
    duplicates,
    lost,
    lossPercent: sent ? +(((sent - received) / sent) * 100).toFixed(4) : 0,
    latencyMs: { p50: r2(percentileOf(latency, 50)), p99: r2(percentileOf(latency, 99)), max: r2(percentileOf(latency, 100)), samples: count(latency) },
    peerCpuPercent: r1((peerCpuMs / wallMs) * 100),
    peerCpuMs,
    peerMaxLoopLagMs: r1(maxLoopLagMs),
    wallMs,
    cPeers: cExtras(run.reports),
  }
}

/** what only the C peers report: CPU split, tick lateness, send errors, calls that lost anything */
function cExtras(reports: BridgeReport[]) {
  if (!C_PEERS) return undefined
  const r = reports[0] as CBridgeReport
  return {
    peerCpuUserSystemPercent: [r1((r.cpuUserMs / r.wallMs) * 100), r1((r.cpuSystemMs / r.wallMs) * 100)],
    senderLagMs: r.senderLagMs,
    sendErrors: r.sendErrors,
    foreign: r.foreign,
    callsWithLoss: r.callsWithLoss,
    latencyFrom: 'kernel receive timestamp (SO_TIMESTAMPNS)',
  }
}

const rows: string[] = []
const loadAvg = (): string => loadavg()[0].toFixed(2)

// ── baseline: the peers talk to each other directly ──────────────────────────────
if (BASELINE > 0) {
  const run = await runPeers(BASELINE, (k) => {
    const legs = legsOf(BASELINE, k)
    return Array.from({ length: legs }, (_, i) => peerPorts[k][i ^ 1])
  }, SECONDS * 1000)
  const s = summarise(run)
  const result = { scenario: 'baseline-direct', calls: BASELINE, peers: PEER_KIND === 'c' ? 'c' : PEERS, loadAvg1: loadAvg(), ...s }
  console.log(JSON.stringify(result))
  rows.push(`| ${BASELINE} direct, no relay${C_PEERS ? ', C peers' : ''} | ${s.sent} | ${s.lossPercent} % | ${s.latencyMs.p50} / ${s.latencyMs.p99} | – | ${s.peerCpuPercent} % | – | ${result.loadAvg1} |`)
}

// ── bridged calls ────────────────────────────────────────────────────────────────
for (const calls of CALLS) {
  gc()
  await sleep(200)
  const mem0 = process.memoryUsage()
  const legsByPeer: Leg[][] = Array.from({ length: PEERS }, () => [])
  for (let i = 0; i < calls; i++) {
    const k = i % PEERS
    const local = 2 * Math.floor(i / PEERS)
    const [a, b] = await openCall(peerPorts[k][local], peerPorts[k][local + 1])
    legsByPeer[k].push(a, b)
  }
  gc()
  await sleep(200)
  const mem1 = process.memoryUsage()
  const stats0 = engine.stats().counters
  const kernel0 = readKernelDrops()
  const eld = monitorEventLoopDelay({ resolution: 10 })
  eld.enable()
  const load = loadAvg()
  const ticks0 = readCpuTicks()
  const run = await runPeers(calls, (k) => legsByPeer[k].map((l) => l.port), SECONDS * 1000)
  const machine = cpuShare(ticks0, readCpuTicks(), availableParallelism())
  eld.disable()
  const kernel = diffKernelDrops(kernel0, readKernelDrops())
  const stats1 = engine.stats().counters
  for (const legs of legsByPeer) for (const l of legs) await l.close()
  const s = summarise(run)
  const relayed = ENGINE === 'embedded' ? stats1.packetsRelayed - stats0.packetsRelayed : s.received
  const result = {
    scenario: 'bridge',
    engine: ENGINE,
    io: IO,
    calls,
    seconds: SECONDS,
    peers: PEER_KIND === 'c' ? 'c' : PEERS,
    loadAvg1: load,
    machineCpu: machine,
    /** CPU of everything but the engine and the peers during the run (% of one core): how quiet the box was */
    othersCpuPercent: r1(Math.max(0, machine.busyPercent - ((run.engineCpuMs + s.peerCpuMs) / run.runMs) * 100)),
    ...s,
    engineCpuPercent: r1((run.engineCpuMs / s.wallMs) * 100),
    engineCpuUsPerRelayedPacket: r2((run.engineCpuMs * 1000) / Math.max(1, relayed)),
    engineUserSystemPercent: [r1((run.engineUserMs / s.wallMs) * 100), r1((run.engineSystemMs / s.wallMs) * 100)],
    engineWakeupsPerSecond: Math.round(run.engineWakeups / (run.runMs / 1000)),
    // the monitor's timer runs every 10 ms: what exceeds that is delay
    engineEventLoopDelayMs: { p50: r1(eld.percentile(50) / 1e6 - 10), p99: r1(eld.percentile(99) / 1e6 - 10), max: r1(eld.max / 1e6 - 10) },
    engineDropped: ENGINE === 'embedded' ? Object.fromEntries(Object.entries(stats1.dropped).map(([k, v]) => [k, v - stats0.dropped[k as keyof typeof stats0.dropped]])) : undefined,
    kernelDrops: kernel,
    memoryPerCall: { rssKiB: r1((mem1.rss - mem0.rss) / calls / 1024), heapKiB: r1((mem1.heapUsed - mem0.heapUsed) / calls / 1024) },
  }
  console.log(JSON.stringify(result))
  rows.push(
    `| ${calls}${ENGINE === 'plain' ? ' (plain relay)' : `, ${IO}`}${C_PEERS ? ', C peers' : ''} | ${s.sent} | ${s.lossPercent} % (first ${s.lost.first} / middle ${s.lost.middle} / last ${s.lost.last}) | ${s.latencyMs.p50} / ${s.latencyMs.p99} | ${result.engineCpuPercent} % (${result.engineCpuUsPerRelayedPacket} µs/pkt) | ${s.peerCpuPercent} % | ${result.memoryPerCall.rssKiB} / ${result.memoryPerCall.heapKiB} | ${load} / ${result.othersCpuPercent} % / ${machine.stealPercent} % |`,
  )
  await sleep(300)
}

// ── prompt cadence ───────────────────────────────────────────────────────────────
if (PROMPTS > 0 && ENGINE === 'embedded') {
  const first = legsOf(maxCalls, 0)
  // the C receivers bind before the engine starts sending (the bridge runs' process has exited)
  if (C_PEERS) cRun = await CPeerRun.start(C_PEERS.binary, { mode: 'prompts', basePort: PEER_FIRST_PORT, legs: PROMPTS, seconds: SECONDS, warmupMs: WARMUP_MS })
  const ports = C_PEERS ? Array.from({ length: PROMPTS }, (_, i) => PEER_FIRST_PORT + i) : peerPorts[0].slice(first, first + PROMPTS)
  const eps: EmbeddedEndpoint[] = []
  for (const p of ports) eps.push(await engine.createEndpoint({ remoteSdp: offer(p) }))
  const pacer = engine.pacer
  const firstLate = createHistogram()
  const lastLate = createHistogram()
  let measureFrom = Infinity // set when the receivers start; the tone loading before that stalls the loop
  const probe = (h: Uint32Array) => () => {
    const t = monotonicMs()
    if (t >= measureFrom) record(h, t - pacer.tickDeadline)
  }
  const removeFirst = pacer.add(probe(firstLate))
  const ac = new AbortController()
  const playing = eps.map((e) => e.play({ type: 'tone', freqs: [440, 480], durationMs: 2000, loop: 0 }, ac.signal))
  while (pacer.size < PROMPTS + 1) await sleep(10)
  const removeLast = pacer.add(probe(lastLate))
  const load = loadAvg()
  const cpu0 = process.cpuUsage()
  const ticks0 = readCpuTicks()
  const t0 = monotonicMs()
  measureFrom = t0 + WARMUP_MS
  let r: PromptReport
  if (cRun) {
    cRun.go([])
    r = await cRun.promptReport()
    cRun = null
  } else r = await rpc<PromptReport>(peers[0], { cmd: 'prompts', first, count: PROMPTS, durationMs: SECONDS * 1000, warmupMs: WARMUP_MS })
  const cpu = process.cpuUsage(cpu0)
  const machine = cpuShare(ticks0, readCpuTicks(), availableParallelism())
  const wall = monotonicMs() - t0
  removeFirst()
  removeLast()
  ac.abort()
  await Promise.all(playing)
  await Promise.all(eps.map((e) => e.close()))
  const pct = (h: ArrayLike<number>) => ({ p50: r2(percentileOf(h, 50)), p99: r2(percentileOf(h, 99)), max: r2(percentileOf(h, 100)) })
  const result = {
    scenario: 'prompts',
    prompts: PROMPTS,
    peers: PEER_KIND,
    loadAvg1: load,
    machineCpu: machine,
    othersCpuPercent: r1(Math.max(0, machine.busyPercent - (((cpu.user + cpu.system) / 1000 + r.cpuMs) / wall) * 100)),
    packetsReceived: r.received,
    expectedPackets: Math.floor((PROMPTS * SECONDS * 1000) / 20),
    receiverJitterMs: pct(r.jitter),
    pacerLatenessMs: { firstClient: pct(firstLate), lastClient: pct(lastLate) },
    engineCpuPercent: r1((((cpu.user + cpu.system) / 1000) / wall) * 100),
    receiverCpuPercent: r1((r.cpuMs / r.wallMs) * 100),
    pacerResyncs: pacer.resyncs,
  }
  console.log(JSON.stringify(result))
  rows.push(
    '',
    '| concurrent prompts | packets received / expected | jitter at receiver p50 / p99 / max (ms) | pacer lateness, first client p50 / p99 (ms) | last client p50 / p99 (ms) | engine CPU | load avg / others CPU / steal |',
    '|---|---|---|---|---|---|---|',
    `| ${PROMPTS}, ${IO}${C_PEERS ? ', C receivers' : ''} | ${r.received} / ${result.expectedPackets} | ${result.receiverJitterMs.p50} / ${result.receiverJitterMs.p99} / ${result.receiverJitterMs.max} | ${result.pacerLatenessMs.firstClient.p50} / ${result.pacerLatenessMs.firstClient.p99} | ${result.pacerLatenessMs.lastClient.p50} / ${result.pacerLatenessMs.lastClient.p99} | ${result.engineCpuPercent} % | ${load} / ${result.othersCpuPercent} % / ${machine.stealPercent} % |`,
  )
}

// 'exit' has no reply: wait for the child to go (awaiting a reply left the top-level await unsettled: exit code 13)
await Promise.all(peers.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : (p.once('exit', r), p.send({ cmd: 'exit' }))))))
await engine.close()
console.log('\n| bridged calls | packets sent | loss | one-way latency p50 / p99 (ms) | engine CPU (1 core = 100 %) | peer CPU (sum) | memory per call RSS / heap (KiB) | load avg / others CPU / steal |')
console.log('|---|---|---|---|---|---|---|---|')
for (const row of rows) console.log(row)
process.exit(0)
