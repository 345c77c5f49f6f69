import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isPortBound, PortPicker } from './ports.js'

/** Where the project's SIPp scenarios live. */
export const SCENARIO_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../sipp-scenarios')

export type SippTransport = 'udp' | 'tcp'

export interface SippOptions {
  /** file name in sipp-scenarios/ (e.g. `uac-invite-bye-expect-200.xml`) or an absolute path */
  scenario: string
  /** `host:port` to send to (UAC scenarios); omit for a UAS scenario */
  target?: string
  transport: SippTransport
  /** SIP port SIPp listens on (-p); picked from the test range when omitted */
  localPort?: number
  /** stop after this many calls (-m), default 1 */
  calls?: number
  /** calls per second (-r), SIPp's default 10 when omitted */
  rate?: number
  /** maximum simultaneous calls (-l) */
  limit?: number
  /** global timeout (-timeout, counted as an error), default 15 s */
  timeoutS?: number
  /** default receive timeout for every <recv> (-recv_timeout), default 8000 ms */
  recvTimeoutMs?: number
  /** length of every <pause/> without its own duration (-d), default 0 */
  pauseMs?: number
  /** user part of the Request-URI (-s), default `service` */
  service?: string
  /** keep SIPp's message trace and return it in `messages` (for diagnosing failures) */
  traceMessages?: boolean
  extraArgs?: string[]
  /** picker for the ports this run needs; a fresh one when omitted */
  ports?: PortPicker
}

export interface SippResult {
  /** SIPp's exit code: 0 all calls succeeded, 1 some failed, 97/99/255 see SIPp docs; null when killed */
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** SuccessfulCall(C) from the final statistics; -1 when SIPp wrote none */
  successful: number
  /** FailedCall(C) from the final statistics; -1 when SIPp wrote none */
  failed: number
  /** SIPp's log of unexpected messages and failed checks */
  errors: string
  /** the message trace when `traceMessages` was set */
  messages: string
  /** the arguments SIPp ran with, for the failure message */
  args: string[]
}

export interface SippRun {
  /** the SIP port SIPp listens on */
  readonly localPort: number
  readonly transport: SippTransport
  /** resolves once SIPp's SIP socket is bound (useful before sending to a UAS) */
  readonly ready: Promise<void>
  /** resolves when SIPp exits (never rejects) */
  readonly done: Promise<SippResult>
  /** kill SIPp now (SIGKILL) and return what it produced */
  stop(): Promise<SippResult>
}

const TAIL_BYTES = 8192
const KILL_GRACE_MS = 5000
const READY_POLL_MS = 20
const READY_LIMIT_MS = 5000

/** SIPp could not bind a port it was given: nothing was sent, so the run can be made again on others */
const BIND_FAILED = /Unable to bind .*errno = 98/

/**
 * Run SIPp to completion. When SIPp could not bind a port the picker handed out (something
 * outside this process took it between the check and SIPp's bind) and the caller did not
 * fix its port, the run is made once more on fresh ports: no SIP message left SIPp.
 */
export async function runSipp(opts: SippOptions): Promise<SippResult> {
  const first = await (await startSipp(opts)).done
  if (opts.localPort !== undefined || !BIND_FAILED.test(first.stdout + first.stderr + first.errors)) return first
  return (await startSipp(opts)).done
}

/**
 * Start SIPp in the background: `-nostdin`, its own control port (-cp) and media port
 * (-mp), a call limit (-m) and timeouts, so a run can never hang. Statistics go to a CSV
 * (-trace_stat) in a private temporary directory that is removed afterwards.
 */
export async function startSipp(opts: SippOptions): Promise<SippRun> {
  const ports = opts.ports ?? new PortPicker()
  const localPort = opts.localPort ?? (await ports.pick())
  const controlPort = await ports.pick()
  // SIPp binds -mp and the ports after it (audio echo, video echo at +2, rtp_stream)
  const mediaPort = await ports.pickBlock(4)
  const dir = await mkdtemp(join(tmpdir(), 'livecall-sipp-'))
  const statFile = join(dir, 'stat.csv')
  const errorFile = join(dir, 'errors.log')
  const messageFile = join(dir, 'messages.log')
  const scenario = isAbsolute(opts.scenario) ? opts.scenario : join(SCENARIO_DIR, opts.scenario)
  const timeoutS = opts.timeoutS ?? 15

  const args = [
    ...(opts.target ? [opts.target] : []),
    '-sf', scenario,
    '-t', opts.transport === 'udp' ? 'u1' : 't1',
    '-i', '127.0.0.1',
    '-p', String(localPort),
    '-mi', '127.0.0.1',
    '-mp', String(mediaPort),
    '-cp', String(controlPort),
    '-m', String(opts.calls ?? 1),
    '-s', opts.service ?? 'service',
    '-nostdin',
    '-timeout', `${timeoutS}s`,
    '-timeout_error',
    '-recv_timeout', String(opts.recvTimeoutMs ?? 8000),
    '-d', String(opts.pauseMs ?? 0),
    '-trace_stat', '-stf', statFile, '-fd', '1',
    '-trace_err', '-error_file', errorFile,
    ...(opts.traceMessages ? ['-trace_msg', '-message_file', messageFile] : []),
    ...(opts.rate !== undefined ? ['-r', String(opts.rate)] : []),
    ...(opts.limit !== undefined ? ['-l', String(opts.limit)] : []),
    ...(opts.extraArgs ?? []),
  ]

  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout = tail(stdout + d.toString('latin1'))))
  child.stderr.on('data', (d: Buffer) => (stderr = tail(stderr + d.toString('latin1'))))

  const killTimer = setTimeout(() => child.kill('SIGKILL'), (timeoutS * 1000) + KILL_GRACE_MS)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.once('error', (err) => {
      stderr += `\nspawn failed: ${err.message}`
      res({ code: null, signal: null })
    })
    child.once('close', (code, signal) => res({ code, signal }))
  })

  const done = exited.then(async ({ code, signal }) => {
    clearTimeout(killTimer)
    const result: SippResult = {
      code, signal, stdout, stderr, args,
      ...(await readStats(statFile)),
      errors: await readText(errorFile),
      messages: opts.traceMessages ? await readText(messageFile) : '',
    }
    await rm(dir, { recursive: true, force: true })
    return result
  })

  const ready = waitBound(opts.transport, localPort, exited)
  ready.catch(() => undefined) // observed through `done` when nobody awaits readiness

  return {
    localPort,
    transport: opts.transport,
    ready,
    done,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      return done
    },
  }
}

/** A one-line description of a run for assertion messages. */
export function describeSipp(r: SippResult): string {
  return [
    `sipp ${r.args.join(' ')}`,
    `exit=${r.code} signal=${r.signal} successful=${r.successful} failed=${r.failed}`,
    r.errors && `errors:\n${r.errors.slice(-3000)}`,
    r.messages && `messages:\n${r.messages.slice(-6000)}`,
    r.stderr && `stderr:\n${r.stderr.slice(-2000)}`,
  ].filter(Boolean).join('\n')
}

async function waitBound(
  transport: SippTransport,
  port: number,
  exited: Promise<unknown>,
): Promise<void> {
  let gone = false
  void exited.then(() => (gone = true))
  const deadline = Date.now() + READY_LIMIT_MS
  while (Date.now() < deadline) {
    if (gone) throw new Error(`sipp exited before binding ${transport}/${port}`)
    if (await isPortBound(transport, port)) return
    await new Promise((r) => setTimeout(r, READY_POLL_MS))
  }
  throw new Error(`sipp did not bind ${transport}/${port} within ${READY_LIMIT_MS} ms`)
}

/** The last row of SIPp's -trace_stat CSV: cumulative successful and failed calls. */
async function readStats(file: string): Promise<{ successful: number; failed: number }> {
  const text = await readText(file)
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean)
  if (lines.length < 2) return { successful: -1, failed: -1 }
  const head = lines[0].split(';')
  const last = lines[lines.length - 1].split(';')
  const col = (name: string) => {
    const i = head.indexOf(name)
    return i >= 0 ? Number(last[i]) : -1
  }
  return { successful: col('SuccessfulCall(C)'), failed: col('FailedCall(C)') }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'latin1')
  } catch {
    return ''
  }
}

function tail(s: string): string {
  return s.length > TAIL_BYTES ? s.slice(-TAIL_BYTES) : s
}
