import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { ttsFailed } from '../audio-errors.js'
import { ESPEAK_WORKER_SOURCE } from './espeak-worker-source.js'

/** The worker is stopped after this long without work (it holds ~50 MB). */
const IDLE_MS = 30_000
/** No answer for this long while jobs wait means a stuck synthesizer: the worker is replaced. */
const WATCHDOG_MS = 60_000

type Reply = { id: number; ok: true; wav: Uint8Array } | { id: number; ok: false; status: number; log: string[] }

interface Pending {
  resolve: (wav: Uint8Array) => void
  reject: (err: Error) => void
}

/**
 * Offline text-to-speech with eSpeak NG (WASM) in a worker thread, so the ~0.4–0.7 s a
 * synthesis takes never blocks the RTP pacers. Jobs run one at a time; the worker starts
 * on first use, is unref'd (never keeps the process alive) and stops after {@link IDLE_MS}
 * idle. A crashed worker fails its pending jobs and is replaced on the next call.
 *
 * States (the worker exists exactly in Running):
 *
 *   Idle ──synthesize()──▶ Running ──idle timer / crash / watchdog──▶ Idle
 *     └───────────── close() ─────────────┴──▶ Closed (final; synthesize() rejects)
 */
export enum SynthState {
  Idle = 'idle',
  Running = 'running',
  Closed = 'closed',
}

export class EspeakSynthesizer {
  private stateValue: SynthState = SynthState.Idle
  private worker: Worker | undefined
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  /** idle: IDLE_MS after the last job; watchdog: WATCHDOG_MS since the last answer while jobs wait */
  private readonly timers: { idle?: NodeJS.Timeout; watchdog?: NodeJS.Timeout } = {}

  get state(): SynthState {
    return this.stateValue
  }

  /** The WAV file espeak-ng wrote (22 050 Hz mono int16). */
  synthesize(text: string, voice: string): Promise<Uint8Array> {
    if (this.stateValue === SynthState.Closed) return Promise.reject(ttsFailed('synthesizer is closed', 500))
    const worker = this.ensureWorker()
    clearTimeout(this.timers.idle)
    const id = this.nextId++
    return new Promise<Uint8Array>((resolve, reject) => {
      if (this.pending.size === 0) this.armWatchdog(worker)
      this.pending.set(id, { resolve, reject })
      worker.postMessage({ id, text, voice })
    })
  }

  async close(): Promise<void> {
    const w = this.worker
    this.transition(SynthState.Closed)
    this.failAll(ttsFailed('synthesizer closed', 500))
    if (w) await w.terminate()
  }

  /** The one place the state changes; leaving Running drops the worker and its timers. */
  private transition(to: SynthState, worker?: Worker): void {
    const from = this.stateValue
    if (from === SynthState.Closed) return
    if (to === SynthState.Running && (from !== SynthState.Idle || !worker)) throw new Error(`EspeakSynthesizer: ${from} → ${to}`)
    if (to !== SynthState.Running) {
      clearTimeout(this.timers.idle)
      clearTimeout(this.timers.watchdog)
      this.worker = undefined
    } else this.worker = worker
    this.stateValue = to
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker
    const require = createRequire(import.meta.url)
    const jsPath = require.resolve('espeak-ng')
    const worker = new Worker(ESPEAK_WORKER_SOURCE, {
      eval: true,
      workerData: { jsUrl: pathToFileURL(jsPath).href, wasmPath: jsPath.replace(/\.js$/, '.wasm') },
    })
    worker.unref()
    worker.on('message', (reply: Reply) => this.onReply(reply))
    worker.on('error', (err) => this.onWorkerGone(worker, ttsFailed(`speech synthesizer crashed: ${err.message}`, 500, err)))
    worker.on('exit', (code) => this.onWorkerGone(worker, ttsFailed(`speech synthesizer exited (${code})`, 500)))
    this.transition(SynthState.Running, worker)
    return worker
  }

  private onReply(reply: Reply): void {
    const p = this.pending.get(reply.id)
    if (!p) return
    this.pending.delete(reply.id)
    if (this.worker && this.pending.size > 0) this.armWatchdog(this.worker)
    else clearTimeout(this.timers.watchdog)
    if (reply.ok) p.resolve(reply.wav)
    else {
      const log = reply.log.join(' ').trim()
      const badVoice = /voice does not exist/i.test(log)
      p.reject(ttsFailed(badVoice ? 'say: unknown voice' : `speech synthesis failed (status ${reply.status}): ${log}`, badVoice ? 422 : 500))
    }
    if (this.pending.size === 0) this.armIdleTimer()
  }

  private armIdleTimer(): void {
    clearTimeout(this.timers.idle)
    this.timers.idle = setTimeout(() => {
      const w = this.worker
      this.transition(SynthState.Idle)
      if (w) void w.terminate()
    }, IDLE_MS)
    this.timers.idle.unref()
  }

  /** Jobs run one after the other: no answer for WATCHDOG_MS means the current one is stuck. */
  private armWatchdog(worker: Worker): void {
    clearTimeout(this.timers.watchdog)
    this.timers.watchdog = setTimeout(() => {
      this.onWorkerGone(worker, ttsFailed(`speech synthesizer did not answer for ${WATCHDOG_MS} ms`, 500))
      void worker.terminate()
    }, WATCHDOG_MS)
    this.timers.watchdog.unref()
  }

  private onWorkerGone(worker: Worker, err: Error): void {
    if (this.worker !== worker) return // an idle or closed worker we already let go of
    this.transition(SynthState.Idle)
    this.failAll(err)
  }

  private failAll(err: Error): void {
    clearTimeout(this.timers.watchdog)
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
  }
}
