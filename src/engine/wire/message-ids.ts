import { randomUUID } from 'node:crypto'

/**
 * Message ids for what the engine sends an app (drachtio-protocol.md §A.1: a UUID leads
 * every message). drachtio-server draws a random UUID per message; apps only use the id
 * to match replies, so here a random UUID per connection has its last 12 hex digits
 * replaced by a counter: still unique, still UUID-shaped, without drawing randomness
 * for every message.
 */
export class MessageIds {
  private readonly prefix = randomUUID().slice(0, 24)
  private counter = 0

  next(): string {
    this.counter = (this.counter + 1) % 0x1000000000000
    return this.prefix + this.counter.toString(16).padStart(12, '0')
  }
}
