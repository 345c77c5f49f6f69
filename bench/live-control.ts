/**
 * Live call control benchmark (issue 8): updates through the native control API on 200
 * concurrent bridged calls carrying audio both ways, measured from the HTTP request to the
 * effect on the wire.
 *
 *   SIPp UAC (rtp_stream) ─► livecall ─POST /app─► bench app: [dial sip:callee@SIPp UAS]
 *   livecall ─► SIPp UAS (rtp_stream, answers any number of re-INVITEs)
 *   + `--observed` bridged calls between the bench's own phone and UAS (RtpPeers sending a
 *     per-party marker octet), + `--listen-calls` calls whose app is a top-level `listen`
 *     to the bench's websocket sink.
 *
 * Then `--rate` updates/s for `--seconds`, families in turn (mute/unmute, hold/unhold,
 * whisper, listen pause/resume; each call keeps one family so updates never conflict
 * by design), half of each family's updates on observed calls. Wire effect:
 *   mute/unmute   first packet at the callee that is not / is the caller's audio
 *   hold/unhold   the re-INVITE (a=inactive / a=sendrecv) arriving at the callee's UA
 *   whisper       first whisper packet (neither silence nor the callee) at the caller
 *   listen pause  last binary frame on the websocket (after 300 ms of quiet); resume: first frame
 * All times are performance.now() in this process, so the bench's own event-loop delay is
 * included (the figures are upper bounds).
 *
 * Every update request is aborted after UPDATE_TIMEOUT_MS (a timeout counts as a failure,
 * listed with its sid and kind under `failures`), and every step after the run is bounded, so
 * the run always ends and prints its JSON.
 *
 *   flock /tmp/livecall-bench.lock npx tsx bench/live-control.ts [--calls 200] [--observed 12]
 *        [--listen-calls 8] [--rate 50] [--seconds 60] [--log-level warn]
 *        [--livecall-log /tmp/livecall.log]   (livecall's whole output, for tracing failed sids)
 *        [--sipp-media-ports 20000,24000]     (SIPp callee,caller -mp; production default 34000,38000,
 *                                              clear of FreeSWITCH's RTP range 20000-29999)
 *        [--server-pids freeswitch=<pid>,drachtio=<pid>]
 *
 * The shape comes from the e2e suites' settings (bench/shape.ts): embedded by default;
 * `LIVECALL_TEST_SHAPE=production DRACHTIO_HOST=… FREESWITCH_HOST=…` measures livecall on a
 * real drachtio-server and FreeSWITCH (the whisper WAV must then be readable by FreeSWITCH:
 * same host, world-readable temporary folder).
 */
import { execFileSync } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { PortPicker } from '../test/support/ports.js'
import { describeSipp, startSipp } from '../test/support/sipp.js'
import { BenchApp } from './live-control/app-server.js'
import { ListenSink } from './live-control/listen-server.js'
import { ObservedBridge, ObservedListen } from './live-control/observers.js'
import { FAMILIES, Plan, type Family, type Target } from './live-control/plan.js'
import { writeScenarios } from './live-control/sipp-scenarios.js'
import { KindStats } from './live-control/stats.js'
import { benchTarget, parseServerPids, serverCpuPct, serverTicks, shapeEnvPrefix } from './shape.js'
import { rssBytes, sampleRss, spawnTsx } from './sip/child-process.js'
import { TestShape, readTestShape } from '../test/support/test-shape.js'

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..')
const ACCOUNT = 'AC00000000000000000000000000000001'
const API_KEY = 'bench-api-key'
const MB = 1024 * 1024
const WIRE_TIMEOUT_MS = 2000
/** An update request not answered within this is aborted and counted as a failure. */
const UPDATE_TIMEOUT_MS = 10_000
/** Bound on any one clean-up step after the run (observer hang-up, SIPp exit). */
const STEP_TIMEOUT_MS = 20_000

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '200' },
    observed: { type: 'string', default: '12' },
    'listen-calls': { type: 'string', default: '8' },
    rate: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '60' },
    'rtp-ports': { type: 'string', default: '40000-49999' },
    'log-level': { type: 'string', default: 'warn' },
    'livecall-log': { type: 'string', default: '' },
    'sipp-media-ports': { type: 'string', default: '' },
    'server-pids': { type: 'string', default: '' },
  },
})
const serverPids = parseServerPids(values['server-pids'])
const [uasMediaPort, uacMediaPort] = (values['sipp-media-ports'] || (readTestShape(process.env).shape === TestShape.Production ? '34000,38000' : '20000,24000')).split(',').map(Number)
const totalCalls = Number(values.calls)
const observedCalls = Number(values.observed)
const listenCalls = Number(values['listen-calls'])
const sippCalls = totalCalls - observedCalls
const rate = Number(values.rate)
const seconds = Number(values.seconds)
const [rtpMin, rtpMax] = values['rtp-ports'].split('-').map(Number)
const log = (msg: string) => process.stderr.write(`[live-control] ${msg}\n`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const round = (n: number) => Math.round(n * 10) / 10

/** `p`, or `fallback()` once `ms` passed (the step is logged as timed out). */
async function bounded<T>(what: string, p: Promise<T>, ms: number, fallback: () => T | Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), ms)))
  const won = await Promise.race([p, late])
  clearTimeout(timer)
  if (won !== 'late') return won
  log(`${what}: no end after ${ms} ms, going on`)
  return fallback()
}

/** One failed update: which call, which kind, when (s into the run), what came back. */
interface Failure {
  sid: string
  kind: string
  atS: number
  status: number | 'timeout' | 'error'
  ms: number
  body: string
}

async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(f[11]) + Number(f[12])
}

/** 400 ms of 1 kHz, 8 kHz 16-bit mono WAV: the whisper. */
function whisperWav(): Buffer {
  const n = 3200
  const buf = Buffer.alloc(44 + n * 2)
  buf.write('RIFF', 0); buf.writeUInt32LE(36 + n * 2, 4); buf.write('WAVE', 8); buf.write('fmt ', 12)
  buf.writeUInt32LE(16, 16); buf.writeUInt16LE(1, 20); buf.writeUInt16LE(1, 22); buf.writeUInt32LE(8000, 24)
  buf.writeUInt32LE(16000, 28); buf.writeUInt16LE(2, 32); buf.writeUInt16LE(16, 34); buf.write('data', 36); buf.writeUInt32LE(n * 2, 40)
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)), 44 + i * 2)
  return buf
}

async function main(): Promise<void> {
  const loadAtStart = loadavg().map(round)
  const dir = await mkdtemp(join(tmpdir(), 'livecall-live-control-'))
  await chmod(dir, 0o755) // the production shape's FreeSWITCH reads the whisper file, maybe as another user
  const scenarios = await writeScenarios(dir)
  const whisperFile = join(dir, 'whisper.wav')
  await writeFile(whisperFile, whisperWav())
  const ports = new PortPicker()
  const app = await BenchApp.start()
  const sink = await ListenSink.start()
  const target = await benchTarget(ports, { min: rtpMin!, max: rtpMax! })
  const sip = { host: target.sipHost, port: target.sipPort }
  const httpPort = await ports.pick()
  const base = `http://127.0.0.1:${httpPort}/v1/Accounts/${ACCOUNT}/Calls`
  const auth = { authorization: `Bearer ${API_KEY}` }
  const lc = spawnTsx(resolve(ROOT, 'src/main.ts'), [], {
    ...target.env,
    HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort),
    CALL_HOOK: app.url('/app'), CALL_STATUS_HOOK: app.url('/status'),
    ACCOUNT_SID: ACCOUNT, API_KEY, LOG_LEVEL: values['log-level'],
  })
  if (values['livecall-log']) {
    const file = createWriteStream(values['livecall-log'])
    lc.proc.stdout?.pipe(file)
    lc.proc.stderr?.pipe(file)
    log(`livecall's output (LOG_LEVEL=${values['log-level']}) → ${values['livecall-log']}`)
  }
  const observers: Array<ObservedBridge | ObservedListen> = []
  try {
    for (let t = Date.now(); ; await sleep(200)) {
      const ok = await fetch(`http://127.0.0.1:${httpPort}/health`).then((r) => r.ok, () => false)
      if (ok) break
      if (Date.now() - t > 30_000 || lc.proc.exitCode !== null) throw new Error(`livecall did not start:\n${lc.output()}`)
    }
    const listCalls = async () => (await (await fetch(base, { headers: auth, signal: AbortSignal.timeout(UPDATE_TIMEOUT_MS) })).json()) as Array<Record<string, string>>
    log(`${target.description}; livecall pid ${lc.pid}, SIP ${sip.host}:${sip.port}, http/${httpPort}, load ${loadAtStart.join(' ')}`)

    // the SIPp calls: placed at 50 cps, held until after the run
    const holdMs = (seconds + 30) * 1000
    const uas = await startSipp({
      scenario: scenarios.uas, transport: 'udp', ports, calls: sippCalls, timeoutS: holdMs / 1000 + 60,
      recvTimeoutMs: holdMs + 30_000, extraArgs: ['-mp', String(uasMediaPort)],
    })
    await uas.ready
    app.calleePort = uas.localPort
    const uac = await startSipp({
      scenario: scenarios.uac, target: `${sip.host}:${sip.port}`, transport: 'udp', ports, calls: sippCalls, rate: 50,
      pauseMs: holdMs, timeoutS: holdMs / 1000 + 60, recvTimeoutMs: 15_000, service: 'bridge',
      extraArgs: ['-mp', String(uacMediaPort)],
    })
    for (const t = Date.now(); ; await sleep(500)) {
      const calls = await listCalls()
      const up = calls.filter((c) => c.direction === 'outbound' && c.call_status === 'in-progress').length
      if (up >= sippCalls) break
      if (Date.now() - t > 60_000) throw new Error(`only ${up}/${sippCalls} SIPp calls bridged after 60 s`)
    }
    log(`${sippCalls} SIPp calls bridged`)
    // the observed calls, one at a time (the app hands each the next queued document)
    const bridges: ObservedBridge[] = []
    for (let i = 0; i < observedCalls; i++) {
      const known = new Set(app.hooked.map((x) => x.callSid))
      const b = await ObservedBridge.start(app, sip)
      observers.push(b)
      bridges.push(b)
      b.parentSid = app.hooked.find((x) => !known.has(x.callSid))?.callSid ?? ''
    }
    const listens: ObservedListen[] = []
    for (let i = 0; i < listenCalls; i++) {
      const known = new Set(app.hooked.map((x) => x.callSid))
      const l = await ObservedListen.start(app, sink, sip, i)
      observers.push(l)
      listens.push(l)
      l.sid = app.hooked.find((x) => !known.has(x.callSid))?.callSid ?? ''
    }
    const calls = await listCalls()
    const childOf = new Map(calls.filter((c) => c.parent_call_sid).map((c) => [c.parent_call_sid, c.call_sid]))
    for (const b of bridges) b.childSid = childOf.get(b.parentSid) ?? ''
    const sippParents = calls.filter((c) => c.direction === 'inbound' && childOf.has(c.call_sid) && !bridges.some((b) => b.parentSid === c.call_sid))
    log(`${bridges.length} observed bridges, ${listens.length} listen calls, ${sippParents.length} SIPp bridges; livecall holds ${calls.length} call legs`)

    const plan = new Plan()
    bridges.forEach((b, i) => plan.add({ family: FAMILIES[i % 3], sid: '', on: false, busy: false, bridge: b }, true))
    sippParents.forEach((c, i) => plan.add({ family: FAMILIES[i % 3], sid: c.call_sid, on: false, busy: false }, false))
    listens.forEach((l) => plan.add({ family: 'listen', sid: l.sid, on: false, busy: false, listen: l }, true))

    const stats = new Map<string, KindStats>()
    const statsOf = (k: string) => stats.get(k) ?? (stats.set(k, new KindStats()), stats.get(k)!)
    const inflight = new Set<Promise<void>>()
    const failures: Failure[] = []
    let runStart = 0

    const fire = async (t: Target): Promise<void> => {
      t.busy = true
      const next = !t.on
      const sipp = childOf.get(t.sid) ?? ''
      let sid: string
      let body: Record<string, unknown>
      let kind: string
      let observe: ((t0: number) => Promise<number | null>) | undefined
      const b = t.bridge
      switch (t.family) {
        case 'mute':
          sid = b ? b.parentSid : t.sid
          kind = next ? 'mute' : 'unmute'
          body = { mute_status: kind }
          if (b) observe = (t0) => b.calleeHears(t0, !next, WIRE_TIMEOUT_MS)
          break
        case 'hold':
          sid = b ? b.childSid : sipp
          kind = next ? 'hold' : 'unhold'
          body = { hold_status: kind }
          if (b) observe = (t0) => b.calleeGetsReinvite(t0, next ? 'inactive' : 'sendrecv', WIRE_TIMEOUT_MS)
          break
        case 'whisper':
          sid = b ? b.parentSid : t.sid
          kind = 'whisper'
          body = { whisper: { verb: 'play', url: `file://${whisperFile}` } }
          if (b) observe = (t0) => b.callerHearsWhisper(t0, WIRE_TIMEOUT_MS)
          break
        default: {
          const l = t.listen!
          sid = t.sid
          kind = next ? 'listen-pause' : 'listen-resume'
          body = { listen_status: next ? 'pause' : 'resume' }
          observe = (t0) => (next ? l.lastFrame(t0, 300, WIRE_TIMEOUT_MS) : l.firstFrame(t0, WIRE_TIMEOUT_MS))
        }
      }
      const s = statsOf(kind)
      s.count++
      const t0 = performance.now()
      const wire = observe?.(t0)
      let status: Failure['status'] = 'error'
      let text = ''
      try {
        const res = await fetch(`${base}/${sid}`, {
          method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body),
          signal: AbortSignal.timeout(UPDATE_TIMEOUT_MS),
        })
        status = res.status
        text = await res.text()
      } catch (err) {
        const e = err as Error
        status = e.name === 'TimeoutError' ? 'timeout' : 'error'
        text = `${e.name}: ${e.message}`
      }
      const ms = performance.now() - t0
      s.http.push(ms)
      if (status !== 204) {
        s.httpFailures++
        s.failuresByStatus[String(status)] = (s.failuresByStatus[String(status)] ?? 0) + 1
        if (s.examples.length < 5) s.examples.push(`${status} ${kind} ${sid}: ${text.slice(0, 200)}`)
        failures.push({ sid, kind, atS: round((t0 - runStart) / 1000), status, ms: Math.round(ms), body: text.slice(0, 300) })
        log(`update failed: ${kind} ${sid} → ${status} after ${Math.round(ms)} ms ${text.slice(0, 120)}`)
      } else if (t.family !== 'whisper') {
        t.on = next
      }
      if (wire) {
        const w = await wire
        if (status === 204) {
          if (w === null) s.wireMissing++
          else s.wire.push(w)
        }
      }
      t.busy = false
    }

    // the run: `rate` updates per second on an absolute schedule, families in turn
    const c0 = await cpuTicks(lc.pid)
    const s0 = await serverTicks(serverPids)
    const rss = sampleRss(lc.pid, 500)
    const loadBefore = loadavg().map(round)
    const start = performance.now()
    runStart = start
    let sent = 0
    let family = 0
    while (performance.now() - start < seconds * 1000) {
      const due = Math.floor(((performance.now() - start) / 1000) * rate)
      while (sent < due) {
        sent++
        const f: Family = FAMILIES[family++ % FAMILIES.length]
        const t = plan.next(f)
        if (!t) continue
        const p = fire(t)
        inflight.add(p)
        void p.finally(() => inflight.delete(p))
      }
      await sleep(5)
    }
    // every update is bounded (UPDATE_TIMEOUT_MS + WIRE_TIMEOUT_MS); this bound is a last resort
    await bounded('in-flight updates', Promise.all(inflight), UPDATE_TIMEOUT_MS + WIRE_TIMEOUT_MS + 5000, () => [])
    const stillInFlight = inflight.size
    const wallS = (performance.now() - start) / 1000
    const cpuS = ((await cpuTicks(lc.pid)) - c0) / 100
    const s1 = await serverTicks(serverPids)
    const rssPeak = rss.stop().peak
    const loadAfter = loadavg().map(round)
    const rssEnd = await rssBytes(lc.pid)
    log(`run done: ${sent} slots, ${plan.skipped} skipped (call busy), CPU ${Math.round((cpuS / wallS) * 100)}%`)

    for (const o of observers.splice(0)) await bounded('observer hang-up', o.close(), STEP_TIMEOUT_MS, () => undefined)
    // the SIPp callers hang up holdMs after their call started (~30 s after the run)
    const uacResult = await bounded('SIPp caller', uac.done, 60_000, () => uac.stop())
    const uasResult = await bounded('SIPp callee', uas.done, STEP_TIMEOUT_MS, () => uas.stop())
    if (uacResult.successful !== sippCalls) log(`caller side:\n${describeSipp(uacResult).slice(0, 3000)}`)
    if (uasResult.successful !== sippCalls) log(`callee side:\n${describeSipp(uasResult).slice(0, 3000)}`)

    const byKind: Record<string, unknown> = {}
    for (const k of ['mute', 'unmute', 'hold', 'unhold', 'whisper', 'listen-pause', 'listen-resume']) byKind[k] = stats.get(k)?.summary() ?? null
    const output = {
      bench: 'live-control',
      shape: target.shape,
      shapeDescription: target.description,
      host: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, loadAvgAtStart: loadAtStart, loadAvgBeforeRun: loadBefore, loadAvgAfterRun: loadAfter },
      calls: { bridged: sippParents.length + bridges.length, sipp: sippParents.length, observed: bridges.length, listen: listens.length },
      updatesPerSecond: rate, seconds, slots: sent, skippedBusy: plan.skipped, stillInFlight,
      perKind: byKind,
      failures: failures.slice(0, 200),
      livecall: { cpuPct: Math.round((cpuS / wallS) * 100), rssPeakMB: round(rssPeak / MB), rssEndMB: round(rssEnd / MB) },
      ...(serverPids.length ? { serverCpuPct: serverCpuPct(s0, s1, wallS) } : {}),
      sipp: { callerSuccessful: uacResult.successful, callerFailed: uacResult.failed, calleeSuccessful: uasResult.successful, calleeFailed: uasResult.failed },
      livecallLogLevel: values['log-level'],
      command: `${shapeEnvPrefix()}npx tsx bench/live-control.ts${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
      commit: gitCommit(),
      date: new Date().toISOString(),
    }
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`)
  } finally {
    for (const o of observers) await bounded('observer hang-up', o.close().catch(() => undefined), STEP_TIMEOUT_MS, () => undefined)
    await lc.stop(10_000)
    await sink.close()
    await app.close()
    await rm(dir, { recursive: true, force: true })
  }
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

main().then(() => process.exit(0), (err) => {
  console.error(err)
  process.exit(1)
})
