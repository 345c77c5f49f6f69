import { randomUUID } from 'node:crypto'
import type net from 'node:net'
import { MessageIds } from './message-ids.js'
import { frame } from './wire-framing.js'
import { WriteBatch } from './write-batch.js'

/**
 * The life of one app connection (drachtio-protocol.md §A.1–A.2):
 *
 * ```
 *   connected ──authenticate with the secret──► authenticated
 *      │  │                                          │
 *      │  └─ wrong secret (NO flushed), broken       │ engine stop, broken framing,
 *      │     framing, socket error, engine stop      │ socket error
 *      │               ▼                              ▼
 *      │            closing ◄──────────────────────────┘
 *      │               │ the socket has closed
 *      ▼ the socket    ▼
 *   closed ◄───────────┘   (also straight from authenticated when the app hangs up)
 * ```
 * Only `authenticated` sessions route verbs, get requests and count as app connections;
 * only `connected` and `authenticated` ones are written to. `closed` is entered once, when
 * the socket reports `close`, and runs `onClosed` (the engine then forgets the app's
 * dialogs, §A.5).
 */
export enum AppSessionState {
  /** the socket is up, no successful `authenticate` yet */
  Connected = 'connected',
  Authenticated = 'authenticated',
  /** we are ending the connection; nothing more is written */
  Closing = 'closing',
  Closed = 'closed',
}

const ALLOWED: Record<AppSessionState, readonly AppSessionState[]> = {
  [AppSessionState.Connected]: [AppSessionState.Authenticated, AppSessionState.Closing, AppSessionState.Closed],
  [AppSessionState.Authenticated]: [AppSessionState.Closing, AppSessionState.Closed],
  [AppSessionState.Closing]: [AppSessionState.Closed],
  [AppSessionState.Closed]: [],
}

/** How long a graceful close waits for the app to end its side before the socket is destroyed. */
export const CLOSE_GRACE_MS = 1000

/**
 * One drachtio-srf connection (drachtio-protocol.md §A.2): its state, the verbs it routed,
 * its tags. Everything the engine says to an app goes through `send`.
 */
export class AppSession {
  private stateValue = AppSessionState.Connected
  readonly verbs = new Set<string>()
  tags: string[] = []
  readonly id = randomUUID()
  private readonly ids = new MessageIds()
  private readonly batch: WriteBatch

  /** `onClosed` runs once, when the socket has closed (whoever closed it). */
  constructor(
    private readonly socket: net.Socket,
    private readonly onClosed: (session: AppSession) => void = () => {},
  ) {
    this.batch = new WriteBatch(socket)
    socket.once('close', () => {
      this.batch.discard()
      if (this.transition(AppSessionState.Closed)) this.onClosed(this)
    })
  }

  get state(): AppSessionState {
    return this.stateValue
  }

  /** Connected or authenticated: written to, its socket not being ended by us. */
  get open(): boolean {
    return this.stateValue === AppSessionState.Connected || this.stateValue === AppSessionState.Authenticated
  }

  get authenticated(): boolean {
    return this.stateValue === AppSessionState.Authenticated
  }

  get remote(): string {
    return `${this.socket.remoteAddress}:${this.socket.remotePort}`
  }

  /** The one guarded transition: false (and nothing changes) when `to` is not allowed from here. */
  private transition(to: AppSessionState): boolean {
    if (!ALLOWED[this.stateValue].includes(to)) return false
    this.stateValue = to
    return true
  }

  /**
   * The app gave the right secret (§A.2 `authenticate`). A second `authenticate` on an
   * authenticated session only replaces its tags. False once the session is closing.
   */
  authenticate(tags: string[]): boolean {
    if (this.stateValue !== AppSessionState.Authenticated && !this.transition(AppSessionState.Authenticated)) return false
    this.tags = tags
    return true
  }

  /** `<uuid>|<leader>[CRLF<sip>]`, framed; written with the rest of this event-loop turn's messages. */
  send(leader: string, sip?: Buffer | string): void {
    if (!this.open) return
    this.batch.push(frame(`${this.ids.next()}|${leader}`, sip))
  }

  /** A reply to the app's message `msgId`: `response|<msgId>|<rest>`. */
  reply(msgId: string, rest: string, sip?: Buffer | string): void {
    this.send(`response|${msgId}|${rest}`, sip)
  }

  /**
   * End the connection gracefully: what was written flushes first (a `NO|incorrect secret`
   * must still arrive), then the socket is ended, and destroyed after CLOSE_GRACE_MS.
   */
  close(): void {
    if (!this.transition(AppSessionState.Closing)) return
    this.batch.flush()
    this.socket.end()
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref()
  }

  /** End the connection now (broken framing, socket error, engine stop): nothing more is written. */
  abort(): void {
    this.transition(AppSessionState.Closing)
    this.batch.discard()
    this.socket.destroy()
  }
}
