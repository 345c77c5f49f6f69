import { describe, expect, it } from 'vitest'
import {
  FramerState,
  getHeader,
  parseMessage,
  SipParseError,
  SipStreamFramer,
} from '../../../../src/engine/message/index.js'
import { SDP, inviteLines, sip } from '../../../support/sip-corpus/build.js'

const INVITE = sip(inviteLines(), SDP)
const BYE = sip([
  'BYE sip:bob@192.0.2.20:5060 SIP/2.0',
  'Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bKbye',
  'From: <sip:alice@example.com>;tag=1',
  'To: <sip:bob@example.com>;tag=2',
  'Call-ID: bye@192.0.2.10',
  'CSeq: 2 BYE',
])
const OK = sip([
  'SIP/2.0 200 OK',
  'Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bKbye',
  'From: <sip:alice@example.com>;tag=1',
  'To: <sip:bob@example.com>;tag=2',
  'Call-ID: bye@192.0.2.10',
  'CSeq: 2 BYE',
])
const PING = Buffer.from('\r\n\r\n')

type Out = Array<Buffer | 'ping'>

function feed(framer: SipStreamFramer, chunks: Buffer[]): Out {
  const out: Out = []
  for (const c of chunks) out.push(...framer.push(c))
  return out
}

function describeOut(out: Out): string[] {
  return out.map((m) => (m === 'ping' ? 'ping' : m.toString('latin1')))
}

function error(fn: () => unknown): SipParseError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(SipParseError)
    return err as SipParseError
  }
  throw new Error('expected a SipParseError')
}

describe('SipStreamFramer: framing by Content-Length (RFC 3261 §18.3)', () => {
  it('returns one message pushed whole, as a Buffer parseMessage accepts', () => {
    const out = new SipStreamFramer().push(INVITE)
    expect(out).toHaveLength(1)
    expect((out[0] as Buffer).equals(INVITE)).toBe(true)
    expect(parseMessage(out[0] as Buffer).body.toString()).toBe(SDP)
  })

  it('returns the same message whichever byte boundary splits it in two', () => {
    for (let cut = 1; cut < INVITE.length; cut++) {
      const framer = new SipStreamFramer()
      const first = framer.push(INVITE.subarray(0, cut))
      expect(first, `cut at ${cut}`).toEqual([])
      const second = framer.push(INVITE.subarray(cut))
      expect(second, `cut at ${cut}`).toHaveLength(1)
      expect((second[0] as Buffer).equals(INVITE), `cut at ${cut}`).toBe(true)
    }
  })

  it('reassembles a message fed one byte at a time', () => {
    const framer = new SipStreamFramer()
    const out: Out = []
    for (let i = 0; i < INVITE.length; i++) out.push(...framer.push(INVITE.subarray(i, i + 1)))
    expect(describeOut(out)).toEqual([INVITE.toString('latin1')])
    expect(framer.bufferedBytes).toBe(0)
  })

  it('cuts several messages and pings out of one chunk, in order', () => {
    const stream = Buffer.concat([INVITE, BYE, PING, OK, Buffer.from('\r\n'), INVITE])
    const out = new SipStreamFramer().push(stream)
    expect(describeOut(out)).toEqual([INVITE, BYE, 'ping', OK, INVITE].map((m) => (m === 'ping' ? m : m.toString('latin1'))))
  })

  it('gives the same sequence wherever a multi-message stream is split, twice', () => {
    const stream = Buffer.concat([BYE, PING, OK, INVITE])
    const expected = describeOut(new SipStreamFramer().push(stream))
    expect(expected).toHaveLength(4)
    for (let a = 1; a < stream.length; a += 7) {
      for (const b of [a + 1, a + 13, a + 301]) {
        if (b >= stream.length) continue
        const out = feed(new SipStreamFramer(), [stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)])
        expect(describeOut(out), `cuts at ${a}, ${b}`).toEqual(expected)
      }
    }
  })

  it('does not mistake an empty line inside the body for the end of a message', () => {
    const body = `--b\r\nContent-Type: application/sdp\r\n\r\n${SDP}\r\n--b--\r\n`
    const multipart = sip([...inviteLines(['contentType']), 'Content-Type: multipart/mixed;boundary=b'], body)
    const out = new SipStreamFramer().push(Buffer.concat([multipart, BYE]))
    expect(out).toHaveLength(2)
    expect(parseMessage(out[0] as Buffer).body.toString()).toBe(body)
  })

  it('reads the compact Content-Length (l) and LF-only messages', () => {
    const lf = Buffer.from(`${inviteLines().join('\n')}\nl: ${SDP.length}\n\n${SDP}`)
    const out = new SipStreamFramer().push(Buffer.concat([lf, BYE]))
    expect(out).toHaveLength(2)
    expect(parseMessage(out[0] as Buffer).body.toString()).toBe(SDP)
  })

  it('returns copies that do not change when the socket chunk is reused', () => {
    const chunk = Buffer.from(Buffer.concat([BYE, OK]))
    const out = new SipStreamFramer().push(chunk)
    chunk.fill(0)
    expect(getHeader(parseMessage(out[1] as Buffer), 'call-id')).toBe('bye@192.0.2.10')
  })

  it('reports its state and buffered bytes', () => {
    const framer = new SipStreamFramer()
    expect(framer.state).toBe(FramerState.Between)
    framer.push(INVITE.subarray(0, 20))
    expect(framer.state).toBe(FramerState.Headers)
    framer.push(INVITE.subarray(20, INVITE.length - 5))
    expect(framer.state).toBe(FramerState.Body)
    expect(framer.bufferedBytes).toBe(INVITE.length - 5)
    framer.push(INVITE.subarray(INVITE.length - 5))
    expect(framer.state).toBe(FramerState.Between)
    expect(framer.bufferedBytes).toBe(0)
  })
})

describe('SipStreamFramer: keep-alives (RFC 5626 §3.5.1)', () => {
  it('reports a double CRLF as a ping', () => {
    expect(new SipStreamFramer().push(PING)).toEqual(['ping'])
  })

  it('reports a ping split across two chunks once', () => {
    const framer = new SipStreamFramer()
    expect(framer.push(Buffer.from('\r\n'))).toEqual([])
    expect(framer.push(Buffer.from('\r\n'))).toEqual(['ping'])
    expect(feed(new SipStreamFramer(), [Buffer.from('\r'), Buffer.from('\n\r'), Buffer.from('\n')])).toEqual(['ping'])
  })

  it('reports back-to-back pings', () => {
    expect(new SipStreamFramer().push(Buffer.concat([PING, PING, PING]))).toEqual(['ping', 'ping', 'ping'])
  })

  it('skips a single CRLF (a pong, or a stray line end) before a message without a ping', () => {
    const out = new SipStreamFramer().push(Buffer.concat([Buffer.from('\r\n'), BYE]))
    expect(describeOut(out)).toEqual([BYE.toString('latin1')])
  })

  it('reports a ping followed by the start of a message, then frames that message', () => {
    const framer = new SipStreamFramer()
    expect(framer.push(Buffer.concat([PING, BYE.subarray(0, 10)]))).toEqual(['ping'])
    expect(describeOut(framer.push(BYE.subarray(10)))).toEqual([BYE.toString('latin1')])
  })
})

describe('SipStreamFramer: unrecoverable streams', () => {
  it('throws on junk as soon as its first line is complete', () => {
    expect(error(() => new SipStreamFramer().push(Buffer.from('GET / HTTP/1.1\r\n'))).message).toMatch(/junk/)
    expect(error(() => new SipStreamFramer().push(Buffer.from('HELLO\r\n'))).message).toMatch(/junk/)
  })

  it('throws on binary before any line end arrives', () => {
    expect(error(() => new SipStreamFramer().push(Buffer.from([0x16, 0x03, 0x01, 0x00]))).message).toMatch(/control bytes/)
    const framer = new SipStreamFramer()
    framer.push(Buffer.from('INVITE sip:'))
    expect(() => framer.push(Buffer.from([0x00]))).toThrow(/control bytes/)
  })

  it('throws on a CR not followed by LF between messages', () => {
    expect(() => new SipStreamFramer().push(Buffer.from('\rX'))).toThrow(/CR without LF/)
  })

  it('keeps throwing after a failure', () => {
    const framer = new SipStreamFramer()
    expect(() => framer.push(Buffer.from('junk junk\r\n'))).toThrow(SipParseError)
    expect(framer.state).toBe(FramerState.Failed)
    expect(() => framer.push(BYE)).toThrow(SipParseError)
  })

  it('throws on a missing Content-Length, with a partial request a 400 can answer', () => {
    const noLength = sip(inviteLines(), '', 'none')
    const err = error(() => new SipStreamFramer().push(noLength))
    expect(err.message).toMatch(/missing Content-Length/)
    expect(err.partial?.method).toBe('INVITE')
    expect(getHeader(err.partial!, 'call-id')).toBe('a84b4c76e66710@192.0.2.10')
  })

  it('throws on a missing Content-Length in a response, with nothing to answer', () => {
    const noLength = sip(['SIP/2.0 200 OK', ...inviteLines(['start'])], '', 'none')
    expect(error(() => new SipStreamFramer().push(noLength)).respondable).toBe(false)
  })

  it('throws on an invalid or conflicting Content-Length', () => {
    expect(() => new SipStreamFramer().push(sip(inviteLines([], ['Content-Length: 1e3']), '', 'none'))).toThrow(/invalid Content-Length/)
    expect(() => new SipStreamFramer().push(sip(inviteLines([], ['l: 3']), 'abcd'))).toThrow(/conflicting/)
  })

  it('throws when the header section passes maxHeaderBytes, even within one unfinished line', () => {
    const framer = new SipStreamFramer({ maxHeaderBytes: 1024 })
    framer.push(Buffer.from(`INVITE sip:a@b SIP/2.0\r\nX-Long: ${'x'.repeat(900)}`))
    expect(() => framer.push(Buffer.from('y'.repeat(200)))).toThrow(/exceeds 1024/)
  })

  it('throws when Content-Length passes maxBodyBytes, before the body arrives', () => {
    const big = sip(inviteLines(), 'z'.repeat(70_000))
    const headerEnd = big.indexOf('\r\n\r\n') + 4
    expect(() => new SipStreamFramer().push(big.subarray(0, headerEnd))).toThrow(/exceeds 65536/)
    expect(new SipStreamFramer({ maxBodyBytes: 100_000 }).push(big)).toHaveLength(1)
  })
})
