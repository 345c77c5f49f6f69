import { spawn, type ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { connect } from 'node:net'

/** A Node child running a TypeScript entry point through tsx (the pid is the script's own node). */
export interface NodeChild {
  readonly proc: ChildProcess
  readonly pid: number
  /** resolves when a stdout line matches */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>
  /** SIGTERM, then SIGKILL after `graceMs`; resolves on exit */
  stop(graceMs?: number): Promise<void>
  /** everything it wrote, last 64 KiB */
  output(): string
}

export function spawnTsx(script: string, args: string[], env: Record<string, string>, nodeArgs: string[] = []): NodeChild {
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = []
  const onData = (d: Buffer) => {
    out = (out + d.toString()).slice(-65536)
    for (const line of d.toString().split('\n')) {
      for (const w of waiters.splice(0)) {
        if (w.pattern.test(line)) w.resolve(line)
        else waiters.push(w)
      }
    }
  }
  proc.stdout?.on('data', onData)
  proc.stderr?.on('data', onData)
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  if (proc.pid === undefined) throw new Error(`could not start ${script}`)
  return {
    proc,
    pid: proc.pid,
    output: () => out,
    waitForLine(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${script}: no line matching ${pattern} in ${timeoutMs} ms\n${out}`)), timeoutMs)
        waiters.push({ pattern, resolve: (l) => (clearTimeout(timer), resolve(l)) })
      })
    },
    async stop(graceMs = 3000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Resident set size of a Linux process, in bytes (VmRSS from /proc). */
export async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
  if (!m) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(m[1]) * 1024
}

/** Samples a process's RSS on an interval; `stop()` returns the peak and the last sample. */
export function sampleRss(pid: number, everyMs = 200): { stop(): { peak: number; last: number } } {
  let peak = 0
  let last = 0
  const timer = setInterval(() => {
    rssBytes(pid).then((v) => {
      last = v
      peak = Math.max(peak, v)
    }, () => undefined)
  }, everyMs)
  return {
    stop() {
      clearInterval(timer)
      return { peak, last }
    },
  }
}

/** Resolves once a TCP listener accepts on host:port. */
export async function waitTcpListening(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect({ host, port })
      c.once('connect', () => (c.destroy(), resolve(true)))
      c.once('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`)
}
