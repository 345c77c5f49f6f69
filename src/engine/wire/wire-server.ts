import net from 'node:net'
import { closeServer, listen } from '../../util/listen.js'
import type { Logger } from 'pino'
import { AppSession } from './app-session.js'
import { WireReader } from './wire-framing.js'

/** What the wire server needs from the engine core. */
export interface WireHandler {
  /** `udp/127.0.0.1:5060,tcp/127.0.0.1:5060` */
  hostports(): string
  /** a `sip|<txnId>|<dialogId>[|<routeUrl>]` command (§A.4) */
  onSip(session: AppSession, msgId: string, txnId: string, dialogId: string, routeUrl: string, sip: Buffer): void
  /** a `proxy|<txnId>|…` command (§A.2): `token` is the whole leader split on `|` */
  onProxy(session: AppSession, msgId: string, token: readonly string[], sip: Buffer): void
  onSessionClosed(session: AppSession): void
}

export interface WireServerOptions {
  host: string
  port: number
  secret: string
  /** reported to srf; `vX.Y.Z` turns srf's pinging on (§A.9.5) */
  version: string
  logger: Logger
  handler: WireHandler
}

/**
 * The drachtio wire protocol server (drachtio-protocol.md §A.1–A.3): apps connect,
 * authenticate, route verbs, ping, and exchange SIP through `sip` commands.
 */
export class WireServer {
  private server?: net.Server
  private readonly sessions = new Set<AppSession>()
  private readonly sockets = new Set<net.Socket>()
  /** sessionsFor() answers, per verb; cleared whenever a session authenticates, routes or goes */
  private readonly byVerb = new Map<string, readonly AppSession[]>()

  constructor(private readonly opts: WireServerOptions) {}

  get sessionCount(): number {
    let n = 0
    for (const s of this.sessions) if (s.authenticated) n++
    return n
  }

  start(): Promise<void> {
    const server = net.createServer((socket) => this.accept(socket))
    this.server = server
    return listen(server, this.opts.port, this.opts.host)
  }

  /** Apps that routed `verb`, in connection order (computed once per change of the sessions). */
  sessionsFor(verb: string): readonly AppSession[] {
    let found = this.byVerb.get(verb)
    if (!found) {
      found = [...this.sessions].filter((s) => s.authenticated && s.verbs.has(verb))
      this.byVerb.set(verb, found)
    }
    return found
  }

  stop(): Promise<void> {
    for (const s of this.sessions) {
      s.close() // what is written flushes…
      s.abort() // …and the socket goes now
    }
    const server = this.server
    this.server = undefined
    return closeServer(server)
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true)
    const session = new AppSession(socket, (closed) => {
      this.sessions.delete(closed)
      this.byVerb.clear()
      this.opts.handler.onSessionClosed(closed)
    })
    this.sessions.add(session)
    const reader = new WireReader()
    socket.on('data', (chunk) => {
      let payloads: Buffer[]
      try {
        payloads = reader.push(chunk)
      } catch (err) {
        this.opts.logger.warn({ err, app: session.remote }, 'drachtio wire: broken framing, dropping client')
        session.abort()
        return
      }
      for (const p of payloads) {
        try {
          this.dispatch(session, p)
        } catch (err) {
          this.opts.logger.error({ err }, 'drachtio wire: error handling app message')
        }
      }
    })
    socket.on('error', () => session.abort())
  }

  private dispatch(session: AppSession, payload: Buffer): void {
    // The server splits the leader at the first CRLF (§A.1).
    const crlf = payload.indexOf('\r\n')
    const leader = payload.toString('utf8', 0, crlf < 0 ? payload.length : crlf)
    const sip = crlf < 0 ? Buffer.alloc(0) : payload.subarray(crlf + 2)
    const token = leader.split('|')
    const [msgId, type] = token
    if (!session.authenticated && type !== 'authenticate') {
      session.reply(msgId, 'NO|not authenticated')
      return
    }
    switch (type) {
      case 'authenticate':
        if (token[2] === this.opts.secret && session.authenticate((token[3] ?? '').split(',').filter(Boolean))) {
          this.byVerb.clear()
          const hp = this.opts.handler.hostports()
          session.reply(msgId, `OK|${hp}|${this.opts.version}|${hp}`)
        } else {
          session.reply(msgId, 'NO|incorrect secret')
          session.close()
        }
        return
      case 'route':
        session.verbs.add((token[2] ?? '').toLowerCase())
        this.byVerb.clear()
        session.reply(msgId, 'OK')
        return
      case 'remove_route':
        session.verbs.delete((token[2] ?? '').toLowerCase())
        this.byVerb.clear()
        session.reply(msgId, 'OK')
        return
      case 'ping':
        session.reply(msgId, 'OK|pong')
        return
      case 'sip':
        // a response needs the txnId of the request it answers (client.cpp)
        if (!token[2] && sip.subarray(0, 4).toString('latin1') === 'SIP/') return session.reply(msgId, 'NO|transaction id missing')
        this.opts.handler.onSip(session, msgId, token[2] ?? '', token[3] ?? '', token[4] ?? '', sip)
        return
      case 'proxy':
        this.opts.handler.onProxy(session, msgId, token, sip)
        return
      default:
        // drachtio-server's text (client.cpp); it also drops the client, the engine keeps it
        session.reply(msgId, 'NO|Unknown message type')
    }
  }
}
