import { describe, expect, it } from 'vitest'
import {
  getHeader,
  getHeaders,
  parseMessage,
  serializeMessage,
  SipParseError,
  SipStreamFramer,
  type SipMessage,
} from '../../../../src/engine/message/index.js'
import { MALFORMED } from '../../../support/sip-corpus/malformed.js'
import { VALID } from '../../../support/sip-corpus/valid.js'

function withoutContentLength(msg: SipMessage): SipMessage {
  return { ...msg, headers: msg.headers.filter((h) => h.name !== 'content-length') }
}

describe('malformed corpus', () => {
  it('holds at least 25 samples with distinct names', () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(25)
    expect(new Set(MALFORMED.map((s) => s.name)).size).toBe(MALFORMED.length)
  })

  describe.each(MALFORMED.map((s) => [s.name, s] as const))('%s', (_name, sample) => {
    it(`parseMessage throws SipParseError (${sample.respondable ? 'answerable with 400' : 'dropped'})`, () => {
      let error: unknown
      try {
        parseMessage(sample.bytes)
      } catch (err) {
        error = err
      }
      expect(error).toBeInstanceOf(SipParseError)
      const err = error as SipParseError
      expect(err.message).toContain(sample.error)
      expect(err.respondable).toBe(sample.respondable)
      if (err.partial !== undefined) {
        // a Via to route the 400 back (RFC 3261 §18.2.2); the 400 copies whatever else is there
        expect(getHeader(err.partial, 'via')).toBeTruthy()
        expect(() => serializeMessage(err.partial!)).not.toThrow()
      }
    })

    it(`on a stream: ${sample.onStream}`, () => {
      const framer = new SipStreamFramer()
      if (sample.onStream === 'stream-error') {
        expect(() => framer.push(sample.bytes)).toThrow(SipParseError)
        // the stream stays failed
        expect(() => framer.push(Buffer.from('\r\n'))).toThrow(SipParseError)
        return
      }
      const out = framer.push(sample.bytes)
      const messages = out.filter((m) => m !== 'ping')
      if (sample.onStream === 'message') {
        expect(messages).toHaveLength(1)
        expect((messages[0] as Buffer).equals(sample.bytes)).toBe(true)
      } else {
        expect(messages).toHaveLength(0)
      }
    })
  })
})

describe('valid corpus (odd but legal, RFC 4475 §3.1.1)', () => {
  describe.each(VALID.map((s) => [s.name, s] as const))('%s', (_name, sample) => {
    it('parses to the expected message', () => {
      const msg = parseMessage(sample.bytes)
      expect(msg.kind).toBe(sample.expect.kind)
      if (msg.kind === 'request') expect(msg.method).toBe(sample.expect.method)
      else expect(msg.status).toBe(sample.expect.status)
      expect(getHeader(msg, 'call-id')).toBe(sample.expect.callId)
      expect(getHeaders(msg, 'via')).toHaveLength(sample.expect.vias)
      expect(msg.body.length).toBe(sample.expect.bodyBytes)
    })

    it('round-trips: parse → serialize → parse gives the same message', () => {
      const first = parseMessage(sample.bytes)
      const wire = serializeMessage(first)
      const second = parseMessage(wire)
      expect(withoutContentLength(second)).toEqual(withoutContentLength(first))
      expect(getHeader(second, 'content-length')).toBe(String(first.body.length))
      // and serializing again is byte-identical
      expect(serializeMessage(second).equals(wire)).toBe(true)
    })
  })
})
