import { randomUUID } from 'node:crypto'
import type net from 'node:net'
import { MessageIds } from './message-ids.js'
import { frame } from './wire-framing.js'
import { WriteBatch } from './write-batch.js'

/**
 * One drachtio-srf connection (drachtio-protocol.md §A.2): authenticated or not, the
 * verbs it routed, its tags. Everything the engine says to an app goes through `send`.
 */
export enum AppSessionState {
  /** connected, no successful `authenticate` yet */
  Connected = 'connected',
  Authenticated = 'authenticated',
  Closed = 'closed',
}

export class AppSession {
  state = AppSessionState.Connected
  readonly verbs = new Set<string>()
  tags: string[] = []
  readonly id = randomUUID()
  private readonly ids = new MessageIds()
  private readonly batch: WriteBatch

  constructor(private readonly socket: net.Socket) {
    this.batch = new WriteBatch(socket)
    socket.once('close', () => this.batch.discard())
  }

  get remote(): string {
    return `${this.socket.remoteAddress}:${this.socket.remotePort}`
  }

  /** `<uuid>|<leader>[CRLF<sip>]`, framed; written with the rest of this event-loop turn's messages. */
  send(leader: string, sip?: Buffer | string): void {
    if (this.state === AppSessionState.Closed || this.socket.destroyed) return
    this.batch.push(frame(`${this.ids.next()}|${leader}`, sip))
  }

  /** A reply to the app's message `msgId`: `response|<msgId>|<rest>`. */
  reply(msgId: string, rest: string, sip?: Buffer | string): void {
    this.send(`response|${msgId}|${rest}`, sip)
  }

  /** Close after what was written has flushed (a `NO|incorrect secret` must still arrive). */
  close(): void {
    this.state = AppSessionState.Closed
    this.batch.flush()
    this.socket.end()
    setTimeout(() => this.socket.destroy(), 1000).unref()
  }
}
