/**
 * Calls-and-webhooks benchmark (issue 7): livecall as `npm start` runs it (its own
 * process, embedded SIP engine and media engine), a webhook application answering every
 * call with a `dial` to a SIPp callee, a SIPp caller at rising rates.
 *
 *   SIPp UAC ──INVITE──► livecall ──POST /app──► app server ──[dial sip:callee@…]──►
 *   livecall ──INVITE──► SIPp UAS      (both legs anchored on livecall's media engine)
 *
 * Every transition of every leg is POSTed to the same app server's `/status`; they are
 * counted against the expected 7 per call (caller leg trying/in-progress/completed, callee
 * leg trying/ringing/in-progress/completed).
 *
 * Phase 0: `--warmup` calls at 50 cps (JIT, lazily loaded modules, first pools), not reported
 * beyond their outcome.
 * Phase 1, on the (warm) process: memory per idle bridged call. `--hold-calls` calls each
 * (e.g. 500, then 1000) are placed at `--hold-rate` cps and held until all are up;
 * (VmRSS during − VmRSS just before) / N.
 * Phase 2: each rate of `--rates` for `--seconds` (bounded by -m = rate × seconds and a
 * SIPp timeout), each call held `--hold-ms`. Per rate: both SIPp sides' successful and
 * failed calls, status callbacks received/expected, livecall's CPU and peak RSS.
 *
 * Prints one JSON object on stdout; progress on stderr.
 *
 *   npx tsx bench/calls-webhook.ts [--rates 50,100,150,200,250,300] [--seconds 6]
 *        [--hold-ms 3000] [--hold-calls 500,1000] [--hold-rate 100] [--warmup 200]
 *        [--livecall-node-args="--cpu-prof --cpu-prof-dir /tmp/prof"]
 *        [--log-level warn] [--livecall-log /tmp/livecall.log] [--late-wait-s 45]
 *        [--caller-trace /tmp/uac]   (SIPp caller's -trace_msg per rate: /tmp/uac-<rate>.log)
 *
 * The shape comes from the e2e suites' settings (bench/shape.ts): embedded by default; with
 * `LIVECALL_TEST_SHAPE=production DRACHTIO_HOST=… FREESWITCH_HOST=…` livecall runs against a
 * real drachtio-server and FreeSWITCH, and `--server-pids freeswitch=<pid>,drachtio=<pid>`
 * adds their CPU per rate.
 *
 * A rate whose legs are not all complete after the settle window waits up to `--late-wait-s`
 * more, polling /health, and reports what arrived late, livecall's registry size, and a few
 * open legs (their sids, to look up in `--livecall-log`).
 */
import { execFileSync } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { PortPicker } from '../test/support/ports.js'
import { describeSipp, runSipp, startSipp } from '../test/support/sipp.js'
import { AppServer, type LegStatuses } from './calls/app-server.js'
import { CALLBACKS_PER_CALL, summarizeLegs, type LegSummary } from './calls/legs.js'
import { benchTarget, parseServerPids, serverCpuPct, serverTicks, shapeEnvPrefix, type BenchTarget } from './shape.js'
import { rssBytes, sampleRss, spawnTsx, type NodeChild } from './sip/child-process.js'
import { udpDrops } from './sip/udp-drops.js'

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..')
const MB = 1024 * 1024
const TICKS_PER_S = 100

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '50,100,150,200,250,300' },
    seconds: { type: 'string', default: '6' },
    'hold-ms': { type: 'string', default: '3000' },
    'hold-calls': { type: 'string', default: '500,1000' },
    'hold-rate': { type: 'string', default: '100' },
    warmup: { type: 'string', default: '200' },
    'rtp-ports': { type: 'string', default: '40000-49999' },
    'livecall-node-args': { type: 'string', default: '' },
    'log-level': { type: 'string', default: 'warn' },
    'livecall-log': { type: 'string', default: '' },
    'late-wait-s': { type: 'string', default: '45' },
    /** SIPp caller's -trace_msg into <prefix>-<rate>.log (every message it sent and received, per rate) */
    'caller-trace': { type: 'string', default: '' },
    /** production shape: name=pid of the servers whose CPU to report, e.g. freeswitch=123,drachtio=456 */
    'server-pids': { type: 'string', default: '' },
  },
})
const serverPids = parseServerPids(values['server-pids'])
const rates = values.rates.split(',').filter(Boolean).map(Number)
const seconds = Number(values.seconds)
const holdMs = Number(values['hold-ms'])
const holdCalls = values['hold-calls'].split(',').filter(Boolean).map(Number)
const holdRate = Number(values['hold-rate'])
const [rtpMin, rtpMax] = values['rtp-ports'].split('-').map(Number)
const log = (msg: string) => process.stderr.write(`[calls-webhook] ${msg}\n`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Livecall {
  child: NodeChild
  httpPort: number
  /** where the SIPp caller sends INVITEs: the embedded engine or drachtio-server */
  sipHost: string
  sipPort: number
  target: BenchTarget
}

interface Health {
  status: string
  calls: number
  media?: { endpoints: number }
}

interface StepResult {
  rate: number
  loadAvg1: number
  calls: number
  callerSuccessful: number
  callerFailed: number
  calleeSuccessful: number
  calleeFailed: number
  /** calls attempted minus calls both sides completed */
  failed: number
  callHooks: number
  statusCallbacks: number
  statusCallbacksExpected: number
  legs: LegSummary
  wallS: number
  livecallCpuPct: number
  livecallCpuMsPerCall: number
  livecallRssPeakMB: number
  /** production shape with --server-pids: each server's CPU over the rate, % of one core */
  serverCpuPct?: Record<string, number>
  /** livecall's /health right after the settle window (calls = legs still registered) */
  healthAfterSettle: { calls: number; endpoints?: number; endpointsZeroAfterMs: number | null } | null
  /** datagrams the kernel dropped (receive buffer full) during the rate: livecall's SIP socket / the whole box */
  udpDrops: { livecallSip: number; box: number }
  /** only when legs were open after the settle window: what the extra wait showed */
  late?: LateWait
}

/** Open legs after the settle window, and what became of them within `--late-wait-s`. */
interface LateWait {
  legsOpenAfterSettle: number
  /** leg sid → statuses seen by the end of the settle window (a few) */
  openExamples: string[]
  callbacksDuringLateWait: number
  legsStillOpen: number
  /** seconds after the settle window when the last open leg completed (null if some never did) */
  allClosedAfterS: number | null
  healthAtEnd: { calls: number; endpoints?: number } | null
  stillOpenExamples: string[]
}

/** utime + stime of a process in clock ticks (Linux /proc/<pid>/stat fields 14, 15). */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}

async function health(lc: Livecall): Promise<Health | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${lc.httpPort}/health`, { signal: AbortSignal.timeout(3000) })
    return (await res.json()) as Health
  } catch {
    return null
  }
}

/**
 * Media endpoints still closing after the calls ended (FreeSWITCH: `hangup`, then its BYE)
 * are not a leak; one still open ENDPOINT_DRAIN_MS later is. How long until none is open,
 * or null when some never closed.
 */
const ENDPOINT_DRAIN_MS = 10_000
async function endpointsDrain(lc: Livecall): Promise<number | null> {
  const t0 = Date.now()
  while (Date.now() - t0 < ENDPOINT_DRAIN_MS) {
    const h = await health(lc)
    if (h && (h.media?.endpoints ?? 0) === 0) return Date.now() - t0
    await sleep(100)
  }
  return null
}

/** Wait until livecall holds no call and the status callbacks stop arriving. */
async function settle(lc: Livecall, app: AppServer, expected: number, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs
  let last = -1
  let stableSince = Date.now()
  while (Date.now() < deadline) {
    const h = await health(lc)
    const n = app.statusCallbacks
    if (n !== last) {
      last = n
      stableSince = Date.now()
    }
    if (h?.calls === 0 && (n >= expected || Date.now() - stableSince > 3000)) return
    await sleep(250)
  }
}

async function startLivecall(app: AppServer, ports: PortPicker): Promise<Livecall> {
  const target = await benchTarget(ports, { min: rtpMin!, max: rtpMax! })
  const httpPort = await ports.pick()
  const child = spawnTsx(resolve(ROOT, 'src/main.ts'), [], {
    ...target.env,
    HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort),
    CALL_HOOK: app.url('/app'), CALL_STATUS_HOOK: app.url('/status'),
    LOG_LEVEL: values['log-level'],
  }, values['livecall-node-args'].split(' ').filter(Boolean))
  if (values['livecall-log']) {
    const file = createWriteStream(values['livecall-log'])
    child.proc.stdout?.pipe(file)
    child.proc.stderr?.pipe(file)
  }
  const lc = { child, httpPort, sipHost: target.sipHost, sipPort: target.sipPort, target }
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if ((await health(lc))?.status === 'ok') return lc
    if (child.proc.exitCode !== null) break
    await sleep(200)
  }
  await child.stop()
  throw new Error(`livecall did not become healthy:\n${child.output()}`)
}

async function measureRate(rate: number, lc: Livecall, app: AppServer, ports: PortPicker, calls = rate * seconds): Promise<StepResult> {
  const loadAvg1 = round(loadavg()[0])
  const bound = calls / rate + holdMs / 1000 + 20
  const uas = await startSipp({
    scenario: 'uas-answer-wait-bye.xml', transport: 'udp', ports,
    calls, timeoutS: bound + 10, recvTimeoutMs: holdMs + 15_000, extraArgs: ['-max_recv_loops', '5000'],
  })
  await uas.ready
  app.setCallee(uas.localPort)
  app.take()
  const rss = sampleRss(lc.child.pid)
  const c0 = await cpuTicks(lc.child.pid)
  const s0 = await serverTicks(serverPids)
  const drops0 = await udpDrops(lc.sipPort)
  const t0 = Date.now()
  const uac = await runSipp({
    scenario: 'uac-invite-bye-expect-200.xml', target: `${lc.sipHost}:${lc.sipPort}`, transport: 'udp',
    ports, calls, rate, pauseMs: holdMs, timeoutS: bound, recvTimeoutMs: 10_000,
    extraArgs: ['-max_recv_loops', '5000', '-max_sched_loops', '5000',
      ...(values['caller-trace'] ? ['-trace_msg', '-message_file', `${values['caller-trace']}-${rate}.log`] : [])],
  })
  const wallS = (Date.now() - t0) / 1000
  const c1 = await cpuTicks(lc.child.pid)
  const s1 = await serverTicks(serverPids)
  const b = await Promise.race([uas.done, sleep(15_000).then(() => uas.stop())])
  await settle(lc, app, calls * CALLBACKS_PER_CALL, 30_000)
  const h = await health(lc)
  const healthAfterSettle = h && { calls: h.calls, endpoints: h.media?.endpoints, endpointsZeroAfterMs: await endpointsDrain(lc) }
  const drops1 = await udpDrops(lc.sipPort)
  const late = await lateWait(lc, app)
  const peak = rss.stop().peak
  const seen = app.take()
  if (uac.successful !== calls) log(`${rate} cps, caller side:\n${describeSipp(uac).slice(0, 2500)}`)
  if (b.successful !== calls) log(`${rate} cps, callee side:\n${describeSipp(b).slice(0, 2500)}`)
  const callerSuccessful = Math.max(uac.successful, 0)
  const calleeSuccessful = Math.max(b.successful, 0)
  const cpuS = (c1 - c0) / TICKS_PER_S
  return {
    rate, loadAvg1, calls,
    callerSuccessful, callerFailed: calls - callerSuccessful,
    calleeSuccessful, calleeFailed: calls - calleeSuccessful,
    failed: calls - Math.min(callerSuccessful, calleeSuccessful),
    callHooks: seen.callHooks,
    statusCallbacks: seen.statusCallbacks,
    statusCallbacksExpected: calls * CALLBACKS_PER_CALL,
    legs: summarizeLegs(seen.legs),
    wallS: round(wallS),
    livecallCpuPct: Math.round((cpuS / wallS) * 100),
    livecallCpuMsPerCall: round((cpuS * 1000) / calls),
    livecallRssPeakMB: round(peak / MB),
    ...(serverPids.length ? { serverCpuPct: serverCpuPct(s0, s1, wallS) } : {}),
    healthAfterSettle,
    udpDrops: { livecallSip: drops1.socket - drops0.socket, box: drops1.system - drops0.system },
    ...(late ? { late } : {}),
  }
}

/** SPEC §3 final states: a leg that reached one is over (not open), whether or not its sequence is the expected one. */
const FINAL = ['completed', 'failed', 'busy', 'no-answer', 'canceled']
const isOpen = (leg: LegStatuses) => !leg.statuses.some((s) => FINAL.includes(s))
const openLegs = (app: AppServer) => [...app.legs].filter(([, leg]) => isOpen(leg))
const describeLeg = ([sid, leg]: [string, LegStatuses]) => `${leg.direction} ${sid}${leg.callId ? ` (Call-ID ${leg.callId})` : ''}: ${leg.statuses.join(' → ')}`

/** When legs are still open after the settle window: wait for them up to `--late-wait-s`. */
async function lateWait(lc: Livecall, app: AppServer): Promise<LateWait | undefined> {
  const open = openLegs(app)
  if (open.length === 0) return undefined
  log(`${open.length} legs open after the settle window, /health ${JSON.stringify(await health(lc))}; e.g. ${open.slice(0, 3).map(describeLeg).join('; ')}`)
  const before = app.statusCallbacks
  const t0 = Date.now()
  let allClosedAfterS: number | null = null
  while (Date.now() - t0 < Number(values['late-wait-s']) * 1000) {
    await sleep(500)
    if (openLegs(app).length === 0) {
      allClosedAfterS = round((Date.now() - t0) / 1000)
      break
    }
  }
  const h = await health(lc)
  const still = openLegs(app)
  log(`after ${round((Date.now() - t0) / 1000)} s more: ${app.statusCallbacks - before} callbacks arrived, ${still.length} legs still open, /health ${JSON.stringify(h)}`)
  return {
    legsOpenAfterSettle: open.length,
    openExamples: open.slice(0, 20).map(describeLeg),
    callbacksDuringLateWait: app.statusCallbacks - before,
    legsStillOpen: still.length,
    allClosedAfterS,
    healthAtEnd: h && { calls: h.calls, endpoints: h.media?.endpoints },
    stillOpenExamples: still.slice(0, 5).map(describeLeg),
  }
}

/**
 * Hold `n` bridged calls up at once (placed at `holdRate` cps, each held until well after
 * the last is up) and compare livecall's VmRSS then with VmRSS just before.
 */
async function measureHeld(n: number, lc: Livecall, app: AppServer, ports: PortPicker) {
  const injectS = n / holdRate
  const hold = Math.round((injectS + 8) * 1000)
  const bound = injectS + hold / 1000 + 20
  await sleep(1000)
  const before = await rssBytes(lc.child.pid)
  const healthBefore = await health(lc)
  const uas = await startSipp({
    scenario: 'uas-answer-wait-bye.xml', transport: 'udp', ports,
    calls: n, timeoutS: bound + 10, recvTimeoutMs: hold + 15_000,
  })
  await uas.ready
  app.setCallee(uas.localPort)
  app.take()
  const uacRun = runSipp({
    scenario: 'uac-invite-bye-expect-200.xml', target: `${lc.sipHost}:${lc.sipPort}`, transport: 'udp',
    ports, calls: n, rate: holdRate, pauseMs: hold, timeoutS: bound, recvTimeoutMs: 10_000,
  })
  // every call is placed after injectS and none ends before `hold`: sample in between
  await sleep((injectS + 3) * 1000)
  const during = sampleRss(lc.child.pid, 100)
  const healthDuring = await health(lc)
  await sleep(2000)
  const rss = during.stop()
  const uac = await uacRun
  const b = await Promise.race([uas.done, sleep(15_000).then(() => uas.stop())])
  await settle(lc, app, n * CALLBACKS_PER_CALL, 30_000)
  const seen = app.take()
  if (uac.successful !== n) log(`held ${n}: caller side\n${describeSipp(uac).slice(0, 2500)}`)
  const after = await rssBytes(lc.child.pid)
  return {
    calls: n,
    rate: holdRate,
    holdMs: hold,
    callerSuccessful: Math.max(uac.successful, 0),
    calleeSuccessful: Math.max(b.successful, 0),
    /** livecall's own view while all calls were up: calls = legs (2 per bridged call) */
    healthBefore: healthBefore && { calls: healthBefore.calls, endpoints: healthBefore.media?.endpoints },
    healthDuring: healthDuring && { calls: healthDuring.calls, endpoints: healthDuring.media?.endpoints },
    rssBeforeMB: round(before / MB),
    rssDuringPeakMB: round(rss.peak / MB),
    rssDuringLastMB: round(rss.last / MB),
    rssAfterMB: round(after / MB),
    kBPerCall: Math.round((rss.peak - before) / 1024 / n),
    statusCallbacks: seen.statusCallbacks,
    statusCallbacksExpected: n * CALLBACKS_PER_CALL,
  }
}

async function main(): Promise<void> {
  const loadAtStart = loadavg().map(round)
  const ports = new PortPicker()
  const app = await AppServer.start()
  const lc = await startLivecall(app, ports)
  try {
    await sleep(1000)
    const idleRss = await rssBytes(lc.child.pid)
    log(`${lc.target.description}; livecall pid ${lc.child.pid}, SIP ${lc.sipHost}:${lc.sipPort}, http/${lc.httpPort}, idle RSS ${(idleRss / MB).toFixed(1)} MB, load ${loadAtStart.join(' ')}`)

    const warmupCalls = Number(values.warmup)
    let warmup: StepResult | undefined
    if (warmupCalls > 0) {
      warmup = await measureRate(50, lc, app, ports, warmupCalls)
      log(`warm-up: ${warmup.callerSuccessful}/${warmup.calleeSuccessful} of ${warmupCalls} completed`)
    }
    const held = []
    for (const n of holdCalls) {
      const h = await measureHeld(n, lc, app, ports)
      held.push(h)
      log(`held ${n}: ${h.callerSuccessful}/${h.calleeSuccessful} completed, health during ${JSON.stringify(h.healthDuring)}, RSS ${h.rssBeforeMB} → ${h.rssDuringPeakMB} MB = ${h.kBPerCall} kB per call, callbacks ${h.statusCallbacks}/${h.statusCallbacksExpected}`)
    }

    const steps: StepResult[] = []
    for (const rate of rates) {
      const r = await measureRate(rate, lc, app, ports)
      steps.push(r)
      log(`${rate} cps (load ${r.loadAvg1}): caller ${r.callerSuccessful}/${r.calls}, callee ${r.calleeSuccessful}/${r.calls}, callbacks ${r.statusCallbacks}/${r.statusCallbacksExpected} (legs off ${r.legs.legsOff}), CPU ${r.livecallCpuPct}% (${r.livecallCpuMsPerCall} ms/call), RSS peak ${r.livecallRssPeakMB} MB${r.serverCpuPct ? `, servers CPU ${JSON.stringify(r.serverCpuPct)}` : ''}`)
      if (r.legs.legsOff) log(`  legs off: ${JSON.stringify(r.legs.offPatterns)}; e.g. ${r.legs.examples.join('; ')}`)
      log(`  UDP drops: livecall's SIP socket ${r.udpDrops.livecallSip}, box ${r.udpDrops.box}`)
      const drained = r.healthAfterSettle?.endpointsZeroAfterMs
      log(`  media endpoints after the settle window: ${r.healthAfterSettle?.endpoints ?? '?'}, ${drained === null || drained === undefined ? `still open ${ENDPOINT_DRAIN_MS / 1000} s later` : `none open ${drained} ms later`}`)
      await sleep(2000)
    }
    const clean = steps.filter((s) => s.failed === 0 && s.statusCallbacks === s.statusCallbacksExpected && s.legs.legsOff === 0).map((s) => s.rate)
    const output = {
      bench: 'calls-webhook',
      shape: lc.target.shape,
      shapeDescription: lc.target.description,
      transport: 'udp',
      host: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, loadAvgAtStart: loadAtStart, loadAvgAtEnd: loadavg().map(round) },
      app: 'CALL_HOOK answers [{"verb":"dial","target":[{"type":"sip","sipUri":"sip:callee@127.0.0.1:<uas>"}]}]; CALL_STATUS_HOOK counts callbacks',
      callShape: `INVITE/200/ACK, hold ${holdMs} ms, BYE from the caller; callee leg INVITE/180/200/ACK, BYE from livecall`,
      secondsPerRate: seconds,
      livecallRssIdleMB: round(idleRss / MB),
      warmup: warmup && { calls: warmup.calls, callerSuccessful: warmup.callerSuccessful, calleeSuccessful: warmup.calleeSuccessful, statusCallbacks: warmup.statusCallbacks },
      held,
      rates: steps,
      maxRateWithZeroFailures: clean.length ? Math.max(...clean) : null,
      command: commandLine(),
      commit: gitCommit(),
      date: new Date().toISOString(),
    }
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`)
  } finally {
    await lc.child.stop(10_000)
    await app.close()
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT }).toString().trim()
    return dirty ? `${head} (src/ has uncommitted changes)` : head
  } catch {
    return 'unknown'
  }
}

function commandLine(): string {
  const args = process.argv.slice(2)
  return `${shapeEnvPrefix()}npx tsx bench/calls-webhook.ts${args.length ? ` ${args.join(' ')}` : ''}`
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
