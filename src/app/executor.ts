import type { Logger } from 'pino'
import type { VerbContext, VerbStep } from './verbs/verb.js'

/**
 * Runs the verbs of a document one at a time (ARCHITECTURE, app/). `replace()` swaps the
 * rest of the queue for a new document and aborts the verb running now (redirect, an
 * actionHook's answer, a live `call_hook` update); `stop()` empties it. Each verb gets
 * its own AbortSignal, aborted by a replace/stop or by the end of `lifetime` (the call).
 *
 *   Idle ──run()──► Running ──queue empty / stop / lifetime over──► Done
 */
export enum ExecutorState {
  Idle = 'idle',
  Running = 'running',
  Done = 'done',
}

export class Executor {
  private state = ExecutorState.Idle
  private queue: VerbStep[] = []
  private current: AbortController | undefined

  constructor(
    private readonly lifetime: AbortSignal,
    private readonly logger: Logger,
    /** a verb that throws: the executor logs it; this decides whether the app goes on */
    private readonly onVerbError: (step: VerbStep, err: unknown) => 'continue' | 'stop',
  ) {}

  get running(): boolean {
    return this.state === ExecutorState.Running
  }

  /** the rest of the app becomes `steps`; the verb running now is interrupted */
  replace(steps: VerbStep[]): void {
    this.queue = [...steps]
    this.current?.abort()
  }

  stop(): void {
    this.replace([])
  }

  /** Runs until the queue is empty, the app stops, or the call ends. */
  async run(ctx: VerbContext, steps: VerbStep[]): Promise<void> {
    if (this.state !== ExecutorState.Idle) throw new Error('executor already ran')
    this.state = ExecutorState.Running
    this.queue = [...steps]
    try {
      for (let step = this.queue.shift(); step && !this.lifetime.aborted; step = this.queue.shift()) {
        const abort = new AbortController()
        this.current = abort
        const signal = AbortSignal.any([abort.signal, this.lifetime])
        this.logger.debug({ verb: step.name }, 'verb starts')
        try {
          await step.definition.run(ctx, step.opts, signal)
        } catch (err) {
          if (signal.aborted) continue
          if (this.onVerbError(step, err) === 'stop') break
        }
      }
    } finally {
      this.current = undefined
      this.state = ExecutorState.Done
    }
  }
}
