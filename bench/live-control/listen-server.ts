import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { WebSocketServer } from 'ws'

/** Binary frame arrivals of one listen websocket (keyed by the path it connected to). */
export interface ListenStream {
  frames: number
  lastFrameAt: number
  /** called on every binary frame with its arrival time (performance.now()) */
  onFrame?: (at: number) => void
  closed: boolean
}

/** A jambonz listen consumer (subprotocol audio.jambonz.org) that only timestamps frames. */
export class ListenSink {
  readonly streams = new Map<string, ListenStream>()

  private constructor(private readonly wss: WebSocketServer) {
    wss.on('connection', (ws, req) => {
      const s: ListenStream = { frames: 0, lastFrameAt: 0, closed: false }
      this.streams.set(req.url ?? '/', s)
      ws.on('message', (_data, isBinary) => {
        if (!isBinary) return
        const at = performance.now()
        s.frames++
        s.lastFrameAt = at
        s.onFrame?.(at)
      })
      ws.on('close', () => (s.closed = true))
    })
  }

  static async start(): Promise<ListenSink> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (p) => (p.has('audio.jambonz.org') ? 'audio.jambonz.org' : false) })
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
    return new ListenSink(wss)
  }

  url(path: string): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}${path}`
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate()
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
  }
}
