import { describe, expect, it } from 'vitest'
import { useLivecall } from '../../support/livecall-harness.js'
import { describeSipp, runSipp } from '../../support/sipp.js'
import { inProductionShape } from '../../support/test-shape.js'

/** GET /metrics: Prometheus text with calls, webhook latency, engine and media counts (issue 7). */
describe('/metrics', () => {
  const h = useLivecall()

  const metric = (text: string, name: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(name + ' '))
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN
  }

  it('counts finished calls by status, webhook requests by outcome, and what is open now', async () => {
    h().scaffold.route('/app', [{ verb: 'answer' }, { verb: 'pause', length: 0.2 }, { verb: 'hangup' }])
    const r = await runSipp({ scenario: 'uac-invite-expect-bye.xml', target: h().sipTarget, transport: 'udp', ports: h().ports, calls: 3, rate: 10, timeoutS: 20 })
    expect(r.code, describeSipp(r)).toBe(0)
    await h().assertClean()
    const res = await fetch(`${h().baseUrl}/metrics`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
    const text = await res.text()
    expect(metric(text, 'livecall_calls_total{status="completed",direction="inbound"}')).toBe(3)
    expect(metric(text, 'livecall_calls_in_progress')).toBe(0)
    expect(metric(text, 'livecall_media_endpoints')).toBe(0)
    expect(metric(text, 'livecall_webhook_duration_seconds_count{outcome="ok"}')).toBeGreaterThanOrEqual(3)
    // the embedded SIP engine's counts; the production shape has no embedded engine (drachtio-server keeps its own)
    if (inProductionShape) expect(text).not.toMatch(/^livecall_engine\{/m)
    else expect(metric(text, 'livecall_engine{count="dialogs"}')).toBe(0)
    expect(text).toMatch(/^# HELP livecall_webhook_duration_seconds /m)
  }, 30_000)
})
