import { describe, expect, it } from 'vitest'
import { frame, WireFrameError, WireReader } from '../../../../src/engine/wire/wire-framing.js'

const texts = (bufs: Buffer[]) => bufs.map((b) => b.toString('utf8'))

/** drachtio-protocol.md §A.1: `<len>#<payload>`, len in bytes, at most 5 digits from a client. */
describe('WireReader', () => {
  const one = frame('uuid-1|route|invite')
  const withSip = frame('uuid-2|sip||', 'OPTIONS sip:a@b SIP/2.0\r\nSubject: grüße 📞\r\n\r\n')
  const stream = Buffer.concat([one, withSip, frame('uuid-3|ping')])
  const expected = ['uuid-1|route|invite', 'uuid-2|sip||\r\nOPTIONS sip:a@b SIP/2.0\r\nSubject: grüße 📞\r\n\r\n', 'uuid-3|ping']

  it('reads several messages arriving in one chunk', () => {
    expect(texts(new WireReader().push(stream))).toEqual(expected)
  })

  it('reads the same messages when the stream is split at every byte, even inside the length prefix and inside UTF-8 sequences', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const reader = new WireReader()
      const got = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))]
      expect(texts(got)).toEqual(expected)
    }
  })

  it('reads the stream fed one byte at a time', () => {
    const reader = new WireReader()
    const got: Buffer[] = []
    for (const byte of stream) got.push(...reader.push(Buffer.from([byte])))
    expect(texts(got)).toEqual(expected)
  })

  it('keeps an incomplete message until the rest arrives', () => {
    const reader = new WireReader()
    expect(reader.push(Buffer.from('13#uuid-1|ping'))).toEqual([])
    expect(texts(reader.push(Buffer.from('xx7#a|b|c|d')))).toEqual(['uuid-1|pingxx', 'a|b|c|d'])
  })

  it('accepts a 5-digit length (up to 99,999 bytes)', () => {
    const payload = 'x'.repeat(99_999)
    expect(texts(new WireReader().push(Buffer.from(`99999#${payload}`)))).toEqual([payload])
  })

  it('rejects a 6-digit length, as drachtio-server does, even before the # arrives', () => {
    expect(() => new WireReader().push(Buffer.from('100000#x'))).toThrow(WireFrameError)
    const reader = new WireReader()
    expect(reader.push(Buffer.from('10000'))).toEqual([])
    expect(() => reader.push(Buffer.from('0'))).toThrow(WireFrameError)
  })

  it('rejects a prefix that is not decimal digits', () => {
    for (const bad of ['abc#', '1a#xx', '#hello', ' 5#hello', '-5#hello', 'GET / HTTP/1.1\r\n']) {
      expect(() => new WireReader().push(Buffer.from(bad)), bad).toThrow(WireFrameError)
    }
    expect(() => new WireReader().push(Buffer.from('x'))).toThrow(WireFrameError)
  })

  it('rejects garbage that follows a good message', () => {
    const reader = new WireReader()
    expect(() => reader.push(Buffer.concat([one, Buffer.from('zz#')]))).toThrow(WireFrameError)
  })

  it('the error carries a stable LIVECALL_ERR code', () => {
    try {
      new WireReader().push(Buffer.from('q#'))
      expect.unreachable()
    } catch (err) {
      expect((err as WireFrameError).code).toBe('LIVECALL_ERR_WIRE_FRAME')
    }
  })
})

describe('frame()', () => {
  it('prefixes the payload length in bytes, not characters, for UTF-8 content', () => {
    const leader = 'id|sip|network'
    const sipText = 'MESSAGE sip:a@b SIP/2.0\r\nSubject: 😀 é\r\n\r\nñ'
    const buf = frame(leader, sipText)
    const payload = `${leader}\r\n${sipText}`
    const len = Buffer.byteLength(payload, 'utf8')
    expect(len).toBeGreaterThan(payload.length)
    expect(buf.toString('utf8')).toBe(`${len}#${payload}`)
  })

  it('frames a leader without a SIP part with no CRLF', () => {
    expect(frame('id|response|m1|OK').toString()).toBe('17#id|response|m1|OK')
  })

  it('counts UTF-8 in the leader too, and copies a Buffer SIP part byte for byte', () => {
    const sip = Buffer.from([0x49, 0x4e, 0xff, 0x00, 0x0d, 0x0a])
    const buf = frame('ü|x', sip)
    const payload = Buffer.concat([Buffer.from('ü|x\r\n'), sip])
    expect(buf.equals(Buffer.concat([Buffer.from(`${payload.length}#`), payload]))).toBe(true)
  })

  it('round-trips through WireReader', () => {
    const frames = [frame('a|b'), frame('c|d', 'INVITE sip:x SIP/2.0\r\n\r\n'), frame('€|😀', Buffer.from('body'))]
    const got = new WireReader().push(Buffer.concat(frames))
    expect(got.map((p, i) => Buffer.concat([Buffer.from(`${p.length}#`), p]).equals(frames[i]))).toEqual([true, true, true])
  })
})
