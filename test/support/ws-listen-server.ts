import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'

export const LISTEN_PROTOCOL = 'audio.jambonz.org'

/** One websocket a listen opened, as the consumer saw it. */
export interface ListenConnection {
  ws: WebSocket
  /** request path (with query) the client connected to */
  path: string
  headers: IncomingMessage['headers']
  /** the negotiated subprotocol ('' when none) */
  protocol: string
  /** the first text frame, JSON-parsed (undefined until it comes; the raw text when not JSON) */
  metadata: any
  texts: string[]
  /** binary frames with their arrival time (Date.now()) */
  frames: Array<{ data: Buffer; at: number }>
  /** total bytes of binary frames */
  bytes: number
  /** close code once closed, else null */
  closeCode: number | null
  closed: Promise<{ code: number; reason: string }>
}

export interface WsListenServerOptions {
  /** refuse every subprotocol (to test a consumer that does not speak audio.jambonz.org) */
  refuseProtocol?: boolean
}

const poll = async (cond: () => boolean, timeoutMs: number, what: () => string): Promise<void> => {
  const until = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > until) throw new Error(`WsListenServer: timed out after ${timeoutMs} ms waiting for ${what()}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/**
 * A real jambonz listen consumer (websocket server on 127.0.0.1, subprotocol
 * audio.jambonz.org) that records, per connection, the first text frame (the metadata),
 * the binary audio frames and the close code, and can send audio back.
 */
export class WsListenServer {
  readonly connections: ListenConnection[] = []

  private constructor(private readonly wss: WebSocketServer) {
    wss.on('connection', (ws, req) => {
      const conn: ListenConnection = {
        ws,
        path: req.url ?? '/',
        headers: req.headers,
        protocol: ws.protocol,
        metadata: undefined,
        texts: [],
        frames: [],
        bytes: 0,
        closeCode: null,
        closed: new Promise((resolve) =>
          ws.on('close', (code, reason) => {
            conn.closeCode = code
            resolve({ code, reason: reason.toString() })
          }),
        ),
      }
      ws.on('message', (data, isBinary) => {
        const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)
        if (isBinary) {
          conn.frames.push({ data: buf, at: Date.now() })
          conn.bytes += buf.length
          return
        }
        const text = buf.toString('utf8')
        if (!conn.texts.length) {
          try {
            conn.metadata = JSON.parse(text)
          } catch {
            conn.metadata = text
          }
        }
        conn.texts.push(text)
      })
      this.connections.push(conn)
    })
  }

  static async start(opts: WsListenServerOptions = {}): Promise<WsListenServer> {
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      handleProtocols: (protocols) => (!opts.refuseProtocol && protocols.has(LISTEN_PROTOCOL) ? LISTEN_PROTOCOL : false),
    })
    await new Promise<void>((resolve, reject) => {
      wss.once('error', reject)
      wss.once('listening', () => resolve())
    })
    return new WsListenServer(wss)
  }

  get port(): number {
    return (this.wss.address() as AddressInfo).port
  }

  /** `ws://127.0.0.1:port` + path */
  url(path = '/listen'): string {
    return `ws://127.0.0.1:${this.port}${path}`
  }

  /** The `index`-th connection (default the first), once it has sent its first text frame. */
  async waitForConnection(index = 0, timeoutMs = 10_000): Promise<ListenConnection> {
    await poll(() => this.connections[index]?.metadata !== undefined, timeoutMs, () => `connection ${index} and its metadata (have ${this.connections.length} connections)`)
    return this.connections[index]
  }

  /** Wait until `conn` (default the first) has at least `count` binary frames. */
  async waitForFrames(count: number, conn?: ListenConnection, timeoutMs = 10_000): Promise<ListenConnection> {
    const c = conn ?? (await this.waitForConnection(0, timeoutMs))
    await poll(() => c.frames.length >= count, timeoutMs, () => `${count} binary frames (have ${c.frames.length})`)
    return c
  }

  /** Send binary audio back to the client on `conn` (default the latest connection). */
  send(binary: Uint8Array, conn?: ListenConnection): void {
    const c = conn ?? this.connections[this.connections.length - 1]
    if (!c) throw new Error('WsListenServer.send: no connection')
    c.ws.send(binary, { binary: true })
  }

  /** The binary frames of `conn` as 16-bit little-endian PCM samples (interleaved if stereo). */
  static pcm(conn: ListenConnection, fromFrame = 0): Int16Array {
    const buf = Buffer.concat(conn.frames.slice(fromFrame).map((f) => f.data))
    const out = new Int16Array(buf.length >> 1)
    for (let i = 0; i < out.length; i++) out[i] = buf.readInt16LE(i * 2)
    return out
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.ws.terminate()
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
  }
}
