import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { ttsFailed } from '../audio-errors.js'
import { ESPEAK_WORKER_SOURCE } from './espeak-worker-source.js'

/** The worker is stopped after this long without work (it holds ~50 MB). */
const IDLE_MS = 30_000

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
 * States: idle (no worker) → running (worker, jobs or idle timer) → idle; close() → closed.
 */
export class EspeakSynthesizer {
  private worker: Worker | undefined
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private readonly timers: { idle?: NodeJS.Timeout } = {}
  private closed = false

  /** The WAV file espeak-ng wrote (22 050 Hz mono int16). */
  synthesize(text: string, voice: string): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(ttsFailed('synthesizer is closed', 500))
    const worker = this.ensureWorker()
    clearTimeout(this.timers.idle)
    const id = this.nextId++
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      worker.postMessage({ id, text, voice })
    })
  }

  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.timers.idle)
    const w = this.worker
    this.worker = undefined
    this.failAll(ttsFailed('synthesizer closed', 500))
    if (w) await w.terminate()
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
    this.worker = worker
    return worker
  }

  private onReply(reply: Reply): void {
    const p = this.pending.get(reply.id)
    if (!p) return
    this.pending.delete(reply.id)
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
      this.worker = undefined
      if (w) void w.terminate()
    }, IDLE_MS)
    this.timers.idle.unref()
  }

  private onWorkerGone(worker: Worker, err: Error): void {
    if (this.worker !== worker) return // an idle or closed worker we already let go of
    this.worker = undefined
    clearTimeout(this.timers.idle)
    this.failAll(err)
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
  }
}
