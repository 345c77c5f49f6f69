import { Counter, Gauge, Histogram, Registry } from 'prom-client'

/** What /metrics reads at scrape time (kept as callbacks so observability imports no layer above it). */
export interface MetricSources {
  callsInProgress(): number
  mediaEndpoints(): number
  /** the embedded SIP engine's counts; undefined with a real drachtio-server */
  engineCounts(): Record<string, number> | undefined
}

/**
 * Prometheus metrics (text format at GET /metrics) on prom-client, in a registry of
 * this instance's own (no global default registry: several instances in one process,
 * as in tests, do not collide).
 */
export class Metrics {
  readonly registry = new Registry()
  private readonly callsEnded: Counter<'status' | 'direction'>
  private readonly webhookSeconds: Histogram<'outcome'>

  constructor(sources: MetricSources) {
    const registers = [this.registry]
    new Gauge({ name: 'livecall_calls_in_progress', help: 'calls (legs) not yet in a final state', registers, collect() {
      this.set(sources.callsInProgress())
    } })
    this.callsEnded = new Counter({ name: 'livecall_calls_total', help: 'calls (legs) that reached a final state, by call_status', labelNames: ['status', 'direction'], registers })
    this.webhookSeconds = new Histogram({
      name: 'livecall_webhook_duration_seconds',
      help: 'webhook request latency, by outcome (ok, http_error, timeout, network_error, bad_body)',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    })
    new Gauge({ name: 'livecall_media_endpoints', help: 'media endpoints open', registers, collect() {
      this.set(sources.mediaEndpoints())
    } })
    new Gauge({ name: 'livecall_engine', help: 'embedded SIP engine counts (transactions, dialogs, connections, …)', labelNames: ['count'], registers, collect() {
      this.reset()
      for (const [name, value] of Object.entries(sources.engineCounts() ?? {})) this.set({ count: name }, value)
    } })
  }

  callEnded(status: string, direction: string): void {
    this.callsEnded.inc({ status, direction })
  }

  webhook(outcome: string, ms: number): void {
    this.webhookSeconds.observe({ outcome }, ms / 1000)
  }

  get contentType(): string {
    return this.registry.contentType
  }

  text(): Promise<string> {
    return this.registry.metrics()
  }
}
