import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What the app server answered one call hook with. */
export interface HookedCall {
  callSid: string
  to: string
  doc: unknown[]
}

/**
 * The bench's webhook application (CALL_HOOK `/app`, CALL_STATUS_HOOK `/status`), a plain
 * node:http server. Calls to user `bridge` (the SIPp callers) get a `dial` to the SIPp
 * callee; every other call (the bench's own observer phones, placed one at a time) gets
 * the next document queued with `next()`.
 */
export class BenchApp {
  calleePort = 0
  readonly hooked: HookedCall[] = []
  statusCallbacks = 0
  private queue: unknown[][] = []

  private constructor(private readonly server: Server) {}

  static async start(): Promise<BenchApp> {
    const server = createServer()
    server.keepAliveTimeout = 30_000
    const app = new BenchApp(server)
    server.on('request', (req, res) => void app.handle(req, res.writeHead.bind(res), res.end.bind(res)))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    return app
  }

  /** The document the next non-`bridge` call gets. */
  next(doc: unknown[]): void {
    this.queue.push(doc)
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`
  }

  private async handle(req: IncomingMessage, head: (s: number, h?: Record<string, string | number>) => unknown, end: (b?: string) => unknown): Promise<void> {
    const raw = await readBody(req)
    const path = (req.url ?? '').split('?')[0]
    if (req.method === 'POST' && path === '/status') {
      this.statusCallbacks++
      head(200, { 'content-length': 0 })
      end()
      return
    }
    if (req.method === 'POST' && path === '/app') {
      let body: Record<string, unknown> = {}
      try {
        body = JSON.parse(raw) as Record<string, unknown>
      } catch { /* answered below */ }
      const to = String(body.to ?? '')
      const doc = to === 'bridge'
        ? [{ verb: 'dial', target: [{ type: 'sip', sipUri: `sip:callee@127.0.0.1:${this.calleePort}` }] }]
        : this.queue.shift() ?? [{ verb: 'hangup' }]
      this.hooked.push({ callSid: String(body.call_sid), to, doc })
      const text = JSON.stringify(doc)
      head(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
      end(text)
      return
    }
    head(404, { 'content-length': 0 })
    end()
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', () => resolve(''))
  })
}
