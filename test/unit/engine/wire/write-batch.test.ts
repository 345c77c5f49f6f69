import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { WriteBatch } from '../../../../src/engine/wire/write-batch.js'
import { MessageIds } from '../../../../src/engine/wire/message-ids.js'
import { frame, WireReader } from '../../../../src/engine/wire/wire-framing.js'

const nextTurn = () => new Promise<void>((r) => setImmediate(() => setImmediate(r)))

describe('WriteBatch', () => {
  it('writes the messages of one event-loop turn with one write, in order', async () => {
    const out = new PassThrough()
    const writes: Buffer[] = []
    const write = out.write.bind(out)
    out.write = ((chunk: Buffer) => (writes.push(Buffer.from(chunk)), write(chunk))) as typeof out.write
    const batch = new WriteBatch(out)
    batch.push(frame('a|sip|1'))
    batch.push(frame('b|sip|2', 'OPTIONS sip:x SIP/2.0\r\n\r\n'))
    batch.push(frame('c|ping'))
    expect(writes).toHaveLength(0)
    await nextTurn()
    expect(writes).toHaveLength(1)
    const payloads = new WireReader().push(writes[0]).map((p) => p.toString().split('\r\n')[0])
    expect(payloads).toEqual(['a|sip|1', 'b|sip|2', 'c|ping'])
  })

  it('flush() writes at once (before a graceful close); discard() drops what waits', async () => {
    const out = new PassThrough()
    const batch = new WriteBatch(out)
    batch.push(frame('a|x'))
    batch.flush()
    expect(out.read()?.toString()).toBe('3#a|x')
    batch.push(frame('b|y'))
    batch.discard()
    await nextTurn()
    expect(out.read()).toBeNull()
  })

  it('writes early once 64 KiB are waiting', () => {
    const out = new PassThrough({ highWaterMark: 1 << 20 })
    const batch = new WriteBatch(out)
    batch.push(frame('big|sip||', Buffer.alloc(70_000, 0x61)))
    expect(out.readableLength).toBeGreaterThan(70_000)
    batch.discard()
  })
})

describe('MessageIds', () => {
  it('gives unique UUID-shaped ids', () => {
    const ids = new MessageIds()
    const seen = new Set(Array.from({ length: 1000 }, () => ids.next()))
    expect(seen.size).toBe(1000)
    for (const id of [...seen].slice(0, 5)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  })
})
