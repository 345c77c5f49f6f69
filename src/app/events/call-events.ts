import type { CallDescription } from '../../call/call-description.js'

/**
 * What the call event stream (GET /v1/Accounts/{sid}/Events, docs/control-api.md) carries:
 * every call state change, with the same call description the status hook gets (SPEC §3),
 * and every live update that was applied (SPEC §5).
 */
export type CallEvent =
  | { type: 'state'; call_sid: string; call: CallDescription }
  | { type: 'update'; call_sid: string; update: Record<string, unknown> }

/** One event as a stream sends it: `id` is what a reconnecting client gives as Last-Event-ID. */
export interface NumberedEvent {
  id: string
  event: CallEvent
}

export type CallEventListener = (e: NumberedEvent) => void

/** Where call events are reported (the call tracker, live control). */
export interface CallEventSink {
  publish(accountSid: string, event: CallEvent): void
}

export interface CallEventsOptions {
  /** events kept per account for clients that reconnect (default 500) */
  bufferSize?: number
}

const DEFAULT_BUFFER = 500

/**
 * The injected event bus between the call core and the event stream: per account, its
 * subscribers and a ring buffer of its latest events. Event ids are `<epoch>.<seq>`: seq
 * grows across all accounts; the epoch (this process's start) tells a reconnecting client
 * from before a restart, who gets the whole buffer of its account instead of nothing.
 */
export class CallEvents implements CallEventSink {
  private readonly epoch = Date.now().toString(36)
  private seq = 0
  private readonly bufferSize: number
  private readonly accounts = new Map<string, { buffer: Array<{ seq: number; e: NumberedEvent }>; listeners: Set<CallEventListener> }>()

  constructor(opts: CallEventsOptions = {}) {
    this.bufferSize = opts.bufferSize ?? DEFAULT_BUFFER
  }

  publish(accountSid: string, event: CallEvent): void {
    const account = this.account(accountSid)
    const seq = ++this.seq
    const numbered = { id: `${this.epoch}.${seq}`, event }
    account.buffer.push({ seq, e: numbered })
    if (account.buffer.length > this.bufferSize) account.buffer.shift()
    for (const listener of [...account.listeners]) listener(numbered)
  }

  /** Live events of `accountSid` from now on; returns the unsubscribe function. */
  subscribe(accountSid: string, listener: CallEventListener): () => void {
    const account = this.account(accountSid)
    account.listeners.add(listener)
    return () => {
      account.listeners.delete(listener)
      if (account.listeners.size === 0 && account.buffer.length === 0) this.accounts.delete(accountSid)
    }
  }

  /**
   * The buffered events of `accountSid` after `lastEventId` (of this account only, whatever
   * id is given): all of them for an id of another epoch; none for an id that is not one of ours.
   */
  since(accountSid: string, lastEventId: string): NumberedEvent[] {
    const m = /^([0-9a-z]+)\.(\d+)$/.exec(lastEventId)
    if (!m) return []
    const buffer = this.accounts.get(accountSid)?.buffer ?? []
    const after = m[1] === this.epoch ? Number(m[2]) : 0
    return buffer.filter((b) => b.seq > after).map((b) => b.e)
  }

  /** open subscriptions, every account (the leak check: a closed stream leaves none) */
  subscriberCount(): number {
    let n = 0
    for (const a of this.accounts.values()) n += a.listeners.size
    return n
  }

  private account(accountSid: string) {
    let a = this.accounts.get(accountSid)
    if (!a) {
      a = { buffer: [], listeners: new Set() }
      this.accounts.set(accountSid, a)
    }
    return a
  }
}
