import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One leg's status callbacks, in arrival order (SPEC §3 `call_status` values). */
export interface LegStatuses {
  direction: string
  statuses: string[]
  /** the caller leg's sid, for a dialed leg */
  parent?: string
  /** the leg's SIP Call-ID (to find it in a SIPp message trace) */
  callId?: string
}

/** What the app server saw since the last `take()`. */
export interface AppServerCounts {
  /** POSTs to the call hook (one per inbound call) */
  callHooks: number
  /** POSTs to the status hook (every transition of every leg) */
  statusCallbacks: number
  /** call_sid → that leg's statuses */
  legs: Map<string, LegStatuses>
  /** requests answered with an error (unparseable body, unknown path) */
  errors: number
}

/**
 * The benchmark's webhook application, the way a jambonz user writes one: a plain
 * node:http server. `POST /app` (CALL_HOOK) answers every call with one `dial` to the
 * SIPp callee; `POST /status` (CALL_STATUS_HOOK) records each leg's transitions and
 * answers 200. The callee's port changes per step (a fresh SIPp UAS each), so it is a
 * setter.
 */
export class AppServer {
  private calleePort = 0
  private counts: AppServerCounts = emptyCounts()

  private constructor(private readonly server: Server) {}

  static async start(): Promise<AppServer> {
    const server = createServer()
    server.keepAliveTimeout = 30_000
    const app = new AppServer(server)
    server.on('request', (req, res) => {
      void readBody(req).then((raw) => {
        const path = (req.url ?? '').split('?')[0]
        let body: Record<string, unknown> | undefined
        try {
          body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined
        } catch {
          body = undefined
        }
        if (req.method === 'POST' && path === '/app') {
          app.counts.callHooks++
          const doc = JSON.stringify([{ verb: 'dial', target: [{ type: 'sip', sipUri: `sip:callee@127.0.0.1:${app.calleePort}` }] }])
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(doc) })
          res.end(doc)
          return
        }
        if (req.method === 'POST' && path === '/status' && body) {
          app.counts.statusCallbacks++
          const sid = String(body.call_sid)
          let leg = app.counts.legs.get(sid)
          if (!leg) app.counts.legs.set(sid, (leg = { direction: String(body.direction), statuses: [], ...(body.parent_call_sid ? { parent: String(body.parent_call_sid) } : {}), ...(body.call_id ? { callId: String(body.call_id) } : {}) }))
          leg.statuses.push(String(body.call_status))
          res.writeHead(200, { 'content-length': 0 })
          res.end()
          return
        }
        app.counts.errors++
        res.writeHead(404, { 'content-length': 0 })
        res.end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    return app
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`
  }

  setCallee(port: number): void {
    this.calleePort = port
  }

  /** Status callbacks received so far in the current window. */
  get statusCallbacks(): number {
    return this.counts.statusCallbacks
  }

  /** The current window's legs, without starting a new one (to look at legs still open). */
  get legs(): ReadonlyMap<string, LegStatuses> {
    return this.counts.legs
  }

  /** The counts since the last take, and a fresh window. */
  take(): AppServerCounts {
    const out = this.counts
    this.counts = emptyCounts()
    return out
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

function emptyCounts(): AppServerCounts {
  return { callHooks: 0, statusCallbacks: 0, legs: new Map(), errors: 0 }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', () => resolve(''))
  })
}
