import { describe, expect, it } from 'vitest'
import { parseDialTarget, requestUriOf, targetUser } from '../../../src/app/verbs/dial/dial-target.js'

describe('dial targets (SPEC §4)', () => {
  it('parses sip and phone targets (phone punctuation stripped)', () => {
    expect(parseDialTarget({ type: 'sip', sipUri: 'sip:bob@example.com' }, 0)).toMatchObject({ type: 'sip', sipUri: 'sip:bob@example.com' })
    expect(parseDialTarget({ type: 'phone', number: '+1 (555) 123-4567' }, 0)).toMatchObject({ type: 'phone', number: '+15551234567' })
  })

  it('refuses user targets, unknown types and malformed values, naming the target index', () => {
    expect(() => parseDialTarget({ type: 'user', name: 'alice@example.com' }, 1)).toThrow(/target\[1\].*registrar/)
    expect(() => parseDialTarget({ type: 'teams', number: '1' }, 0)).toThrow(/not supported/)
    expect(() => parseDialTarget({ type: 'sip', sipUri: 'bob@example.com' }, 0)).toThrow(/sipUri/)
    expect(() => parseDialTarget({ type: 'phone', number: 'call me' }, 2)).toThrow(/target\[2\]/)
  })

  it('requestUriOf: a sip target as given, with or without SIP_TRUNK', () => {
    const t = parseDialTarget({ type: 'sip', sipUri: 'sip:bob@10.0.0.2:5070' }, 0)
    expect(requestUriOf(t, undefined)).toBe('sip:bob@10.0.0.2:5070')
    expect(requestUriOf(t, 'sip:trunk.example.net')).toBe('sip:bob@10.0.0.2:5070')
    expect(targetUser(t)).toBe('bob')
  })

  it('requestUriOf: a phone number at SIP_TRUNK (parameters kept), LIVECALL_ERR_DIAL_TARGET without one', () => {
    const t = parseDialTarget({ type: 'phone', number: '+15551234567' }, 0)
    expect(requestUriOf(t, 'sip:trunk.example.net:5060;transport=tcp')).toBe('sip:+15551234567@trunk.example.net:5060;transport=tcp')
    expect(requestUriOf(t, 'sip:old@trunk.example.net')).toBe('sip:+15551234567@trunk.example.net')
    expect(() => requestUriOf(t, undefined)).toThrow(expect.objectContaining({ code: 'LIVECALL_ERR_DIAL_TARGET', message: expect.stringMatching(/SIP_TRUNK/) }))
    expect(() => requestUriOf(t, 'http://nope')).toThrow(/not a SIP URI/)
    expect(targetUser(t)).toBe('+15551234567')
  })
})
