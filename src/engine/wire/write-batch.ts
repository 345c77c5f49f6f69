import type { Writable } from 'node:stream'

/** Flush at once when this much is waiting, whatever the loop is doing. */
const MAX_BATCH_BYTES = 64 * 1024

/**
 * Collects what one event-loop turn writes to an app connection and writes it with one
 * `write()` from `setImmediate`, after the turn's I/O callbacks. Under load one turn
 * handles many datagrams, each producing a message or two for the app: one write (one
 * syscall, one TCP segment over loopback) instead of one per message, for the engine and
 * for the app that reads them. Order is kept; nothing is written after `discard()`.
 */
export class WriteBatch {
  private chunks: Buffer[] = []
  private bytes = 0
  private scheduled?: NodeJS.Immediate

  constructor(private readonly out: Writable) {}

  push(buf: Buffer): void {
    this.chunks.push(buf)
    this.bytes += buf.length
    if (this.bytes >= MAX_BATCH_BYTES) this.flush()
    else this.scheduled ??= setImmediate(() => this.flush())
  }

  /** Write what is waiting now (before a graceful close). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled)
    this.scheduled = undefined
    const chunks = this.chunks
    if (chunks.length === 0) return
    const bytes = this.bytes
    this.chunks = []
    this.bytes = 0
    if (this.out.destroyed) return
    this.out.write(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytes))
  }

  /** Drop what is waiting (the connection is gone). */
  discard(): void {
    if (this.scheduled) clearImmediate(this.scheduled)
    this.scheduled = undefined
    this.chunks = []
    this.bytes = 0
  }
}
