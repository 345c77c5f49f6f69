import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { BINS } from './histogram.js'
import type { BridgeReport, PromptReport } from './peer-process.js'

/**
 * The C load generator (bench/rtp/rtp-peers.c) seen from the bench: built once per bench
 * run into a temporary directory (`cc -O2`), then one process per scenario. The process
 * binds its legs, says ready, gets its targets on stdin, runs for the given duration and
 * prints one JSON summary, which is turned into the same reports the Node peers give.
 */
const source = fileURLToPath(new URL('./rtp-peers.c', import.meta.url))

/** Compiles rtp-peers; null (and why, on stderr) when there is no C compiler or it fails. */
export function buildCPeers(): { binary: string; dispose(): void } | null {
  const dir = mkdtempSync(join(tmpdir(), 'livecall-rtp-peers-'))
  const binary = join(dir, 'rtp-peers')
  const r = spawnSync('cc', ['-O2', '-o', binary, source], { encoding: 'utf8' })
  if (r.status !== 0) {
    console.error(`rtp-peers: cannot build with cc (${r.error?.message ?? r.stderr.trim()}); using the Node peers`)
    rmSync(dir, { recursive: true, force: true })
    return null
  }
  return { binary, dispose: () => rmSync(dir, { recursive: true, force: true }) }
}

interface CSummary {
  mode: 'bridge' | 'prompts'
  stopped: string
  received: number
  wallMs: number
  cpuMs: number
  cpuUserMs: number
  cpuSystemMs: number
  sent?: number
  duplicates?: number
  foreign?: number
  sendErrors?: number
  lost?: { first: number; middle: number; last: number }
  senderLagMs?: { p50: number; p99: number; max: number }
  callsWithLoss?: number
  pairs?: [number, number][]
  bins: [number, number][]
}

export interface CBridgeReport extends BridgeReport {
  cpuUserMs: number
  cpuSystemMs: number
  sendErrors: number
  foreign: number
  senderLagMs: { p50: number; p99: number; max: number }
  /** calls where a leg's partner missed at least one packet */
  callsWithLoss: number
}

export interface CPromptReport extends PromptReport {
  cpuUserMs: number
  cpuSystemMs: number
}

function dense(bins: [number, number][]): number[] {
  const h = new Array<number>(BINS + 1).fill(0)
  for (const [i, n] of bins) h[i] = n
  return h
}

/** One rtp-peers process: bound and ready once start() resolves. */
export class CPeerRun {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly summary: Promise<CSummary>,
  ) {}

  static start(binary: string, opts: { mode: 'bridge' | 'prompts'; basePort: number; legs: number; seconds: number; warmupMs: number }): Promise<CPeerRun> {
    const args = ['--mode', opts.mode, '--base-port', String(opts.basePort), '--legs', String(opts.legs), '--seconds', String(opts.seconds), '--warmup-ms', String(opts.warmupMs)]
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const lines = createInterface({ input: child.stdout })
    return new Promise((resolve, reject) => {
      let onSummary: (s: CSummary) => void = () => undefined
      let onFail: (e: Error) => void = () => undefined
      const summary = new Promise<CSummary>((res, rej) => {
        onSummary = res
        onFail = rej
      })
      summary.catch(() => undefined) // rejected before anyone awaits it when the start fails
      lines.on('line', (line) => {
        const msg = JSON.parse(line) as { ready?: boolean } & CSummary
        if (msg.ready) resolve(new CPeerRun(child, summary))
        else onSummary(msg)
      })
      child.on('exit', (code) => {
        const e = new Error(`rtp-peers exited with ${code}: ${stderr.trim()}`)
        reject(e)
        onFail(e)
      })
    })
  }

  /** bridge: the engine port each leg sends to; prompts: no targets, starts the window */
  go(targets: number[]): void {
    this.child.stdin.write(targets.length > 0 ? targets.join('\n') + '\n' : 'go\n')
  }

  async bridgeReport(): Promise<CBridgeReport> {
    const s = await this.summary
    return {
      sent: s.sent ?? 0,
      received: s.received,
      duplicates: s.duplicates ?? 0,
      lost: s.lost ?? { first: 0, middle: 0, last: 0 },
      latency: dense(s.bins),
      cpuMs: s.cpuMs,
      wallMs: s.wallMs,
      maxLoopLagMs: s.senderLagMs?.max ?? 0,
      cpuUserMs: s.cpuUserMs,
      cpuSystemMs: s.cpuSystemMs,
      sendErrors: s.sendErrors ?? 0,
      foreign: s.foreign ?? 0,
      senderLagMs: s.senderLagMs ?? { p50: 0, p99: 0, max: 0 },
      callsWithLoss: s.callsWithLoss ?? 0,
    }
  }

  async promptReport(): Promise<CPromptReport> {
    const s = await this.summary
    return { received: s.received, jitter: dense(s.bins), cpuMs: s.cpuMs, wallMs: s.wallMs, cpuUserMs: s.cpuUserMs, cpuSystemMs: s.cpuSystemMs }
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGTERM')
  }
}
