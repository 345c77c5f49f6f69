import { EventEmitter } from 'node:events'
import type net from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AppSession, AppSessionState, CLOSE_GRACE_MS } from '../../../../src/engine/wire/app-session.js'

/** Just what AppSession and its WriteBatch use of a net.Socket; 'close' follows destroy() as in node. */
class FakeSocket extends EventEmitter {
  destroyed = false
  ended = false
  readonly remoteAddress = '127.0.0.1'
  readonly remotePort = 40001
  readonly written: string[] = []

  write(chunk: Buffer): boolean {
    this.written.push(chunk.toString('utf8'))
    return true
  }

  end(): void {
    this.ended = true
  }

  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    setImmediate(() => this.emit('close'))
  }

  /** the peer hung up */
  hangUp(): void {
    this.destroyed = true
    this.emit('close')
  }
}

function session() {
  const socket = new FakeSocket()
  const onClosed = vi.fn()
  const s = new AppSession(socket as unknown as net.Socket, onClosed)
  return { socket, s, onClosed }
}

/** Written frames' leaders after the message id: `response|m1|OK`, … */
function leaders(socket: FakeSocket): string[] {
  return socket.written.join('').split(/\d+#/).filter(Boolean).map((f) => f.split('|').slice(1).join('|'))
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r))

describe('AppSession: the app connection as a state machine (drachtio-protocol.md §A.1–A.2)', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('starts connected: open, not authenticated, and written to', async () => {
    const { socket, s } = session()
    expect(s.state).toBe(AppSessionState.Connected)
    expect(s.open).toBe(true)
    expect(s.authenticated).toBe(false)
    s.reply('m1', 'NO|not authenticated')
    await turn()
    expect(leaders(socket)).toEqual(['response|m1|NO|not authenticated'])
  })

  it('authenticate() moves it to authenticated with the tags; a second one only replaces the tags', () => {
    const { s } = session()
    expect(s.authenticate(['a', 'b'])).toBe(true)
    expect(s.state).toBe(AppSessionState.Authenticated)
    expect(s.tags).toEqual(['a', 'b'])
    expect(s.authenticate(['c'])).toBe(true)
    expect(s.state).toBe(AppSessionState.Authenticated)
    expect(s.tags).toEqual(['c'])
  })

  it('close() flushes what was written (the NO for a wrong secret), ends the socket and writes nothing more', () => {
    const { socket, s, onClosed } = session()
    s.reply('m1', 'NO|incorrect secret')
    s.close()
    expect(s.state).toBe(AppSessionState.Closing)
    expect(s.open).toBe(false)
    expect(socket.ended).toBe(true)
    expect(leaders(socket)).toEqual(['response|m1|NO|incorrect secret'])
    s.reply('m2', 'OK')
    expect(leaders(socket)).toHaveLength(1)
    expect(onClosed).not.toHaveBeenCalled()
  })

  it('a closing session cannot authenticate', () => {
    const { s } = session()
    s.close()
    expect(s.authenticate([])).toBe(false)
    expect(s.state).toBe(AppSessionState.Closing)
  })

  it('closing → closed when the socket closes, and onClosed runs once', async () => {
    const { socket, s, onClosed } = session()
    s.authenticate([])
    s.close()
    s.abort()
    expect(socket.destroyed).toBe(true)
    await turn()
    expect(s.state).toBe(AppSessionState.Closed)
    expect(onClosed).toHaveBeenCalledTimes(1)
    expect(onClosed).toHaveBeenCalledWith(s)
  })

  it('the app hanging up takes an authenticated session straight to closed', () => {
    const { socket, s, onClosed } = session()
    s.authenticate([])
    socket.hangUp()
    expect(s.state).toBe(AppSessionState.Closed)
    expect(s.authenticated).toBe(false)
    expect(onClosed).toHaveBeenCalledTimes(1)
  })

  it('closed is final: close(), abort() and authenticate() change nothing and nothing is written', async () => {
    const { socket, s, onClosed } = session()
    socket.hangUp()
    s.close()
    s.abort()
    expect(s.authenticate(['x'])).toBe(false)
    s.reply('m1', 'OK')
    await turn()
    expect(s.state).toBe(AppSessionState.Closed)
    expect(socket.ended).toBe(false)
    expect(socket.written).toEqual([])
    expect(onClosed).toHaveBeenCalledTimes(1)
  })

  it('abort() drops what is not written yet and destroys the socket at once', async () => {
    const { socket, s } = session()
    s.reply('m1', 'OK')
    s.abort()
    expect(s.state).toBe(AppSessionState.Closing)
    expect(socket.destroyed).toBe(true)
    await turn()
    expect(socket.written).toEqual([])
    expect(s.state).toBe(AppSessionState.Closed)
  })

  it('a graceful close destroys the socket after CLOSE_GRACE_MS if the app never ends its side', () => {
    vi.useFakeTimers()
    const { socket, s } = session()
    s.close()
    vi.advanceTimersByTime(CLOSE_GRACE_MS - 1)
    expect(socket.destroyed).toBe(false)
    vi.advanceTimersByTime(1)
    expect(socket.destroyed).toBe(true)
  })
})
