import { describe, expect, it } from 'vitest'
import { parseProxyCommand, parseTimeout } from '../../../../src/engine/proxy/proxy-command.js'

describe('proxy command (drachtio-protocol.md §A.2, as srf writes it)', () => {
  it('reads every token srf sends', () => {
    const leader = 'id|proxy|txn-1|remainInDialog|fullResponse|followRedirects|simultaneous|2s|5s|sip:a@10.0.0.1|sip:b@10.0.0.2:5080'
    const sip = Buffer.from('INVITE sip:a@10.0.0.1 SIP/2.0\r\nX-Custom: 1\r\nVia: SIP/2.0/UDP x;branch=z9hG4bKx\r\nFrom: <sip:f@x>\r\n\r\n')
    expect(parseProxyCommand(leader.split('|'), sip)).toEqual({
      txnId: 'txn-1',
      recordRoute: true,
      fullResponse: true,
      followRedirects: true,
      simultaneous: true,
      provisionalTimeoutMs: 2000,
      finalTimeout: '5s',
      destinations: ['sip:a@10.0.0.1', 'sip:b@10.0.0.2:5080'],
      headers: [{ name: 'x-custom', value: '1' }],
    })
  })

  it('empty tokens are off; serial forking', () => {
    const cmd = parseProxyCommand('id|proxy|txn-1||fullResponse||serial|||sip:a@10.0.0.1'.split('|'), Buffer.alloc(0))
    expect(cmd).toMatchObject({ recordRoute: false, followRedirects: false, simultaneous: false, provisionalTimeoutMs: 0 })
  })

  it('too few tokens is no command (drachtio-server answers NOK)', () => {
    expect(parseProxyCommand(['id', 'proxy', 'txn'], Buffer.alloc(0))).toBeUndefined()
  })

  it('timeouts are `<n>ms` or `<n>s`; anything else is off', () => {
    expect(parseTimeout('1500ms')).toBe(1500)
    expect(parseTimeout('3s')).toBe(3000)
    expect(parseTimeout('3 s')).toBe(0)
    expect(parseTimeout('')).toBe(0)
  })
})
