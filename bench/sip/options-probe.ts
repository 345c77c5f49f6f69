import { createSocket } from 'node:dgram'
import { randomUUID } from 'node:crypto'

export interface ProbeResult {
  sent: number
  answered: number
  p50Ms: number | null
  p99Ms: number | null
  maxMs: number | null
}

/**
 * Measures how quickly the SIP server itself answers while under load: an out-of-dialog
 * OPTIONS over UDP every `everyMs`, answered by the server without any app (no app routes
 * `options` in the benchmark). A slow answer here means the server's own event loop is
 * late, whatever the app does.
 */
export function startOptionsProbe(target: { host: string; port: number }, everyMs = 50): { stop(): Promise<ProbeResult> } {
  const sock = createSocket('udp4')
  const pending = new Map<string, bigint>()
  const rtts: number[] = []
  let sent = 0
  sock.on('message', (msg) => {
    const callId = /^Call-ID:\s*(\S+)/im.exec(msg.toString('latin1'))?.[1]
    const t0 = callId ? pending.get(callId) : undefined
    if (callId && t0 !== undefined) {
      pending.delete(callId)
      rtts.push(Number(process.hrtime.bigint() - t0) / 1e6)
    }
  })
  sock.on('error', () => undefined)
  const ready = new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()))
  const timer = setInterval(() => {
    void ready.then(() => {
      const { port } = sock.address()
      const callId = randomUUID()
      const msg = [
        `OPTIONS sip:probe@${target.host}:${target.port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK${callId.slice(0, 8)};rport`,
        'Max-Forwards: 70',
        `From: <sip:probe@127.0.0.1:${port}>;tag=${callId.slice(9, 13)}`,
        `To: <sip:probe@${target.host}:${target.port}>`,
        `Call-ID: ${callId}`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n')
      pending.set(callId, process.hrtime.bigint())
      sent++
      sock.send(msg, target.port, target.host)
    })
  }, everyMs)
  return {
    async stop() {
      clearInterval(timer)
      await new Promise((r) => setTimeout(r, 1000)) // late answers still count
      sock.close()
      const sorted = [...rtts].sort((a, b) => a - b)
      const pct = (p: number) => (sorted.length ? round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]) : null)
      return { sent, answered: sorted.length, p50Ms: pct(0.5), p99Ms: pct(0.99), maxMs: sorted.length ? round(sorted[sorted.length - 1]) : null }
    },
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10
}
