import { describe, expect, it } from 'vitest'
import {
  addHeader,
  canonicalName,
  getHeader,
  getHeaders,
  parseMessage,
  removeHeader,
  serializeMessage,
  setHeader,
  type SipMessage,
} from '../../../../src/engine/message/index.js'
import { SDP, inviteLines, sip } from '../../../support/sip-corpus/build.js'

function invite(): SipMessage {
  return parseMessage(
    sip(
      inviteLines([], [
        'Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp',
        'Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>',
      ]),
      SDP,
    ),
  )
}

const names = (msg: SipMessage): string[] => msg.headers.map((h) => h.name)

describe('canonicalName', () => {
  it('lower-cases and expands compact forms (RFC 3261 §7.3.3)', () => {
    expect(['V', 'Via', 'via', 'VIA', 'v'].map(canonicalName)).toEqual(['via', 'via', 'via', 'via', 'via'])
    expect(['i', 'I', 'Call-ID', 'call-id', 'CALL-ID'].map(canonicalName)).toEqual(Array(5).fill('call-id'))
    const compact = 'vftimlckseourbxy'.split('').map(canonicalName)
    expect(compact).toEqual([
      'via', 'from', 'to', 'call-id', 'contact', 'content-length', 'content-type', 'supported', 'subject',
      'content-encoding', 'event', 'allow-events', 'refer-to', 'referred-by', 'session-expires', 'identity',
    ])
    expect(canonicalName('X-Custom-Thing')).toBe('x-custom-thing')
  })
})

describe('getHeader / getHeaders', () => {
  it('find values by any spelling, in message order', () => {
    const msg = invite()
    expect(getHeader(msg, 'i')).toBe('a84b4c76e66710@192.0.2.10')
    expect(getHeader(msg, 'CALL-ID')).toBe('a84b4c76e66710@192.0.2.10')
    expect(getHeaders(msg, 'V')).toHaveLength(2)
    expect(getHeaders(msg, 'Record-Route')).toEqual(['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>'])
    expect(getHeader(msg, 'x-absent')).toBeUndefined()
    expect(getHeaders(msg, 'x-absent')).toEqual([])
  })
})

describe('setHeader', () => {
  it('replaces every entry with one, where the first was', () => {
    const msg = invite()
    const before = names(msg).indexOf('via')
    setHeader(msg, 'v', 'SIP/2.0/TCP new.example.com;branch=z9hG4bKn')
    expect(getHeaders(msg, 'via')).toEqual(['SIP/2.0/TCP new.example.com;branch=z9hG4bKn'])
    expect(names(msg).indexOf('via')).toBe(before)
  })

  it('appends a header that was absent', () => {
    const msg = invite()
    setHeader(msg, 'X-Livecall', 'yes')
    expect(names(msg).at(-1)).toBe('x-livecall')
    expect(serializeMessage(msg).toString()).toContain('X-Livecall: yes\r\n')
  })
})

describe('addHeader', () => {
  it('puts a new Via on top of the others (RFC 3261 §18.2.1)', () => {
    const msg = invite()
    addHeader(msg, 'Via', 'SIP/2.0/UDP me.example.com;branch=z9hG4bKme', 'top')
    expect(getHeaders(msg, 'via')[0]).toBe('SIP/2.0/UDP me.example.com;branch=z9hG4bKme')
    expect(getHeaders(msg, 'via')).toHaveLength(3)
    expect(serializeMessage(msg).toString()).toMatch(/^INVITE [^\r]+\r\nVia: SIP\/2.0\/UDP me.example.com/)
  })

  it('puts a top header first in the message when there is none of its kind', () => {
    const msg = invite()
    addHeader(msg, 'Route', '<sip:edge.example.com;lr>', 'top')
    expect(names(msg)[0]).toBe('route')
  })

  it('appends after the last entry of the same header by default', () => {
    const msg = invite()
    addHeader(msg, 'record-route', '<sip:p3.example.com;lr>')
    const rr = names(msg).lastIndexOf('record-route')
    expect(getHeaders(msg, 'record-route')).toEqual(['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>', '<sip:p3.example.com;lr>'])
    expect(msg.headers[rr].value).toBe('<sip:p3.example.com;lr>')
    addHeader(msg, 'X-New', '1', 'bottom')
    expect(names(msg).at(-1)).toBe('x-new')
  })
})

describe('removeHeader', () => {
  it('removes every entry, whatever spelling names it', () => {
    const msg = invite()
    removeHeader(msg, 'V')
    expect(getHeaders(msg, 'via')).toEqual([])
    removeHeader(msg, 'x-absent')
    expect(getHeader(msg, 'call-id')).toBe('a84b4c76e66710@192.0.2.10')
  })
})
