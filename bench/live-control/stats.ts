/** Per update kind: HTTP and on-the-wire latencies (ms) and failures. */
export class KindStats {
  count = 0
  httpFailures = 0
  /** status → count for every non-2xx / network error */
  readonly failuresByStatus: Record<string, number> = {}
  readonly http: number[] = []
  readonly wire: number[] = []
  /** observed updates whose effect never showed within the timeout */
  wireMissing = 0
  examples: string[] = []

  summary(): Record<string, unknown> {
    return {
      count: this.count,
      httpFailures: this.httpFailures,
      failuresByStatus: this.failuresByStatus,
      httpP50: pct(this.http, 50), httpP99: pct(this.http, 99), httpMax: pct(this.http, 100),
      wireSamples: this.wire.length, wireMissing: this.wireMissing,
      wireP50: pct(this.wire, 50), wireP99: pct(this.wire, 99), wireMax: pct(this.wire, 100),
      ...(this.examples.length ? { failureExamples: this.examples } : {}),
    }
  }
}

export function pct(values: number[], p: number): number | null {
  if (values.length === 0) return null
  const s = [...values].sort((a, b) => a - b)
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))
  return Math.round(s[i] * 10) / 10
}
