import pino from 'pino'
import twilio from 'twilio'
import { describe, expect, it } from 'vitest'
import { twilioSignature } from '../../../../src/app/dialects/twilio-signature.js'
import { translateXmlDocument } from '../../../../src/app/xml/translate-xml.js'

const logger = pino({ level: 'silent' })
const ctx = () => {
  let n = 0
  return { documentUrl: 'http://app.example/voice', callSid: 'CA1', nextRecording: () => ++n }
}
const steps = (doc: string) => translateXmlDocument(doc, ctx(), logger).map((s) => [s.name, s.opts])
const refusal = (doc: string) => {
  try {
    translateXmlDocument(doc, ctx(), logger)
  } catch (err) {
    return (err as { code: string; message: string })
  }
  throw new Error('not refused')
}

describe('translateXmlDocument (TwiML / LaML / RCML → native verbs)', () => {
  it('maps every supported verb, answering first, with Twilio defaults', () => {
    const out = steps('<?xml version="1.0"?><Response><Say loop="2">Hi &amp; bye</Say><Play loop="0">http://a/x.wav</Play><Play digits="1w2"/><Pause/>'
      + '<Gather numDigits="2"><Say>press</Say></Gather><Dial action="/d" timeout="10" callerId="+1555"><Number>+15551234</Number><Sip>sip:bob@h</Sip></Dial>'
      + '<Dial><Conference endConferenceOnExit="true" waitUrl="/w">room</Conference></Dial><Record/><Redirect method="GET">/next</Redirect><Hangup/></Response>')
    expect(out.map(([n]) => n)).toEqual(['answer', 'say', 'play', 'dtmf', 'pause', 'gather', 'dial', 'conference', 'record', 'redirect', 'hangup'])
    expect(out[1][1]).toMatchObject({ texts: ['Hi & bye'], loop: 2 })
    expect(out[2][1]).toMatchObject({ loop: Number.POSITIVE_INFINITY })
    expect(out[4][1]).toEqual({ ms: 1000 })
    expect(out[5][1]).toMatchObject({ minDigits: 2, maxDigits: 2, finishOnKey: '#', timeoutMs: 5000, actionHook: { url: 'http://app.example/voice', method: 'POST' } })
    expect(out[6][1]).toMatchObject({ callerId: '+1555', timeoutMs: 10_000, targets: [{ type: 'phone', number: '+15551234' }, { type: 'sip', sipUri: 'sip:bob@h' }] })
    expect(out[7][1]).toMatchObject({ name: 'room', startConferenceOnEnter: true, endConferenceOnExit: true, waitHook: { url: '/w', method: 'POST' } })
    expect(out[8][1]).toEqual({ path: 'CA1-1.wav' })
    expect(out[9][1]).toEqual({ hook: { url: '/next', method: 'GET' } })
  })

  it('Reject is 603 by default and 486 for busy, and is not preceded by an answer; nor is Dial answerOnBridge', () => {
    expect(steps('<Response><Reject/></Response>')).toEqual([['sip:decline', expect.objectContaining({ status: 603 })]])
    expect(steps('<Response><Reject reason="busy"/></Response>')).toEqual([['sip:decline', expect.objectContaining({ status: 486 })]])
    expect(steps('<Response><Dial answerOnBridge="true">+15551234</Dial></Response>').map(([n]) => n)).toEqual(['dial'])
    expect(steps('<Response/>')).toEqual([])
  })

  it('refuses the whole document, naming the problem: unsupported verb/attribute/noun, bad values, not XML, DTD/entities', () => {
    for (const [doc, reason] of [
      ['<Response><Say>x</Say><Enqueue>q</Enqueue></Response>', /verb 2 <Enqueue> is not supported/],
      ['<Response><Say foo="1">x</Say></Response>', /<Say> attribute foo is not supported/],
      ['<Response><Dial><Client>bob</Client></Dial></Response>', /no SIP registrar/],
      ['<Response><Record action="/vm"/></Response>', /<Record> attribute action/],
      ['<Response><Pause length="x"/></Response>', /length must be a whole number/],
      ['<Response><Gather input="speech"/></Response>', /no speech recognizer/],
      ['<Response><Reject reason="nope"/></Response>', /busy or rejected/],
      ['<Response><Say>x</Response>', /not well-formed XML/],
      ['<Foo/>', /root element must be <Response>/],
      ['<!DOCTYPE r [<!ENTITY a "aaaa">]><Response><Say>&a;</Say></Response>', /DTD/],
      ['<Response><Say>&nbsp;</Say></Response>', /unknown XML entity &nbsp;/],
    ] as const) {
      const err = refusal(doc)
      expect(err.code, doc).toBe('LIVECALL_ERR_APP_INVALID')
      expect(err.message, doc).toMatch(reason)
    }
  })
})

describe('twilioSignature', () => {
  it('is what twilio.validateRequest accepts, for POST params and for a GET URL', () => {
    const params = { CallSid: 'CA1', Digits: '42', From: '+1555', To: 'bob' }
    const url = 'http://app.example:8080/gathered?x=1'
    expect(twilio.validateRequest('key', twilioSignature('key', url, params), url, params)).toBe(true)
    expect(twilio.validateRequest('other', twilioSignature('key', url, params), url, params)).toBe(false)
    const get = 'http://app.example/voice?CallSid=CA1&From=%2B1555'
    expect(twilio.validateRequest('key', twilioSignature('key', get), get, {})).toBe(true)
  })
})
