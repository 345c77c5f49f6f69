/**
 * The corpus over real loopback sockets: what arrives in a UDP datagram or a TCP stream is
 * what the message layer was tested on, and the framer copes with the chunking a real TCP
 * connection produces.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { once } from 'node:events'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { getHeader, parseMessage, SipParseError, SipStreamFramer } from '../../../../src/engine/message/index.js'
import { MALFORMED } from '../../../support/sip-corpus/malformed.js'
import { VALID } from '../../../support/sip-corpus/valid.js'

const HOST = '127.0.0.1'
const closers: Array<() => void> = []
afterEach(() => {
  for (const close of closers.splice(0)) close()
})

async function udpPair(): Promise<{ sender: UdpSocket; receiver: UdpSocket; port: number }> {
  const receiver = createSocket('udp4')
  const sender = createSocket('udp4')
  closers.push(() => receiver.close(), () => sender.close())
  receiver.bind(0, HOST)
  await once(receiver, 'listening')
  return { sender, receiver, port: receiver.address().port }
}

async function sendAndReceive(pair: Awaited<ReturnType<typeof udpPair>>, bytes: Buffer): Promise<Buffer> {
  const received = once(pair.receiver, 'message') as Promise<[Buffer]>
  pair.sender.send(bytes, pair.port, HOST)
  const [datagram] = await received
  return datagram
}

describe('over UDP on 127.0.0.1', () => {
  it('every valid sample arrives as one datagram that parses', async () => {
    const pair = await udpPair()
    for (const sample of VALID) {
      const msg = parseMessage(await sendAndReceive(pair, sample.bytes))
      expect(getHeader(msg, 'call-id'), sample.name).toBe(sample.expect.callId)
    }
  })

  it('every malformed sample is refused, answerable exactly when the corpus says so', async () => {
    const pair = await udpPair()
    for (const sample of MALFORMED) {
      const datagram = await sendAndReceive(pair, sample.bytes)
      expect(datagram.length, sample.name).toBe(sample.bytes.length)
      let error: unknown
      try {
        parseMessage(datagram)
      } catch (err) {
        error = err
      }
      expect(error, sample.name).toBeInstanceOf(SipParseError)
      expect((error as SipParseError).respondable, sample.name).toBe(sample.respondable)
    }
  })
})

/** A TCP server that frames and parses what each connection sends, closing a connection whose stream fails. */
async function framingServer(): Promise<{ port: number; callIds: string[]; pings: number[]; failures: string[] }> {
  const state = { callIds: [] as string[], pings: [] as number[], failures: [] as string[] }
  const server: Server = createServer((sock: Socket) => {
    const framer = new SipStreamFramer()
    sock.on('data', (chunk: Buffer) => {
      try {
        for (const m of framer.push(chunk)) {
          if (m === 'ping') {
            state.pings.push(Date.now())
            sock.write('\r\n')
          } else {
            state.callIds.push(getHeader(parseMessage(m), 'call-id') ?? '')
          }
        }
      } catch (err) {
        state.failures.push((err as Error).message)
        sock.destroy()
      }
    })
    sock.on('error', () => {})
  })
  closers.push(() => server.close())
  server.listen(0, HOST)
  await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return { port: address.port, ...state }
}

async function client(port: number): Promise<Socket> {
  const sock = connect(port, HOST)
  sock.setNoDelay(true)
  sock.on('error', () => {}) // a reset from the server shows up as 'close'
  closers.push(() => sock.destroy())
  await once(sock, 'connect')
  return sock
}

describe('over TCP on 127.0.0.1', () => {
  it('frames every valid sample written in small pieces, with pings answered by CRLF', async () => {
    const server = await framingServer()
    const framed = VALID.filter((s) => /\r?\ncontent-length\s*:/i.test(s.bytes.toString('latin1')))
    const expected: string[] = []
    const sock = await client(server.port)
    let pong = ''
    sock.on('data', (d: Buffer) => (pong += d.toString()))
    for (const sample of framed) {
      const first = parseMessage(sample.bytes)
      // dblreq holds two messages; on a stream both are framed
      expected.push(getHeader(first, 'call-id')!)
      if (sample.name.includes('dblreq')) expected.push('second')
      const stream = Buffer.concat([sample.bytes, Buffer.from('\r\n\r\n')])
      for (let i = 0; i < stream.length; i += 97) {
        sock.write(stream.subarray(i, i + 97))
        await sleep(1)
      }
    }
    // one ping after each sample, plus the one the "leading CRLFs" sample starts with
    const pings = framed.length + framed.filter((s) => s.bytes.subarray(0, 4).toString() === '\r\n\r\n').length
    const deadline = Date.now() + 5000
    while ((server.callIds.length < expected.length || pong.length < pings * 2) && Date.now() < deadline) await sleep(10)
    expect(server.callIds).toEqual(expected)
    expect(server.failures).toEqual([])
    expect(server.pings).toHaveLength(pings)
    expect(pong).toBe('\r\n'.repeat(pings))
  })

  it('closes the connection for each malformed sample that breaks the stream', async () => {
    const server = await framingServer()
    const breaking = MALFORMED.filter((s) => s.onStream === 'stream-error')
    for (const sample of breaking) {
      const sock = await client(server.port)
      const closed = once(sock, 'close')
      sock.write(sample.bytes)
      await closed
    }
    expect(server.failures).toHaveLength(breaking.length)
  })
})
