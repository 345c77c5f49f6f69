import { describe, expect, it } from 'vitest'
import { ipv4ToNumber, numberToIpv4 } from '../../../src/media/embedded/rtp/ipv4.js'

describe('ipv4ToNumber / numberToIpv4', () => {
  it('reads dotted quads as unsigned 32-bit numbers, first octet highest', () => {
    expect(ipv4ToNumber('127.0.0.1')).toBe(0x7f000001)
    expect(ipv4ToNumber('192.168.1.20')).toBe(0xc0a80114)
    expect(ipv4ToNumber('10.0.0.255')).toBe(0x0a0000ff)
  })

  it('takes the extremes 0.0.0.0 and 255.255.255.255 without going negative', () => {
    expect(ipv4ToNumber('0.0.0.0')).toBe(0)
    expect(ipv4ToNumber('255.255.255.255')).toBe(0xffffffff)
    expect(ipv4ToNumber('255.255.255.255')).toBeGreaterThan(0)
    expect(ipv4ToNumber('128.0.0.0')).toBe(0x80000000)
  })

  it('writes numbers back as dotted quads', () => {
    expect(numberToIpv4(0x7f000001)).toBe('127.0.0.1')
    expect(numberToIpv4(0)).toBe('0.0.0.0')
    expect(numberToIpv4(0xffffffff)).toBe('255.255.255.255')
    expect(numberToIpv4(0x80000000)).toBe('128.0.0.0')
  })

  it('round-trips addresses across the whole range', () => {
    for (const text of ['0.0.0.0', '1.2.3.4', '127.0.0.1', '172.16.254.1', '203.0.113.99', '224.0.0.251', '255.255.255.255']) {
      expect(numberToIpv4(ipv4ToNumber(text))).toBe(text)
    }
  })

  it.each([
    ['three parts', '1.2.3'],
    ['five parts', '1.2.3.4.5'],
    ['an octet above 255', '256.0.0.1'],
    ['a last octet above 255', '1.2.3.256'],
    ['a trailing letter', '01.2.3.4a'],
    ['the empty string', ''],
    ['a leading space', ' 1.2.3.4'],
    ['a trailing space', '1.2.3.4 '],
    ['an empty part', '1..2.3'],
    ['a leading dot', '.1.2.3'],
    ['a trailing dot', '1.2.3.4.'],
    ['a four-digit part', '0001.2.3.4'],
    ['a negative part', '1.2.3.-4'],
    ['a host name', 'localhost'],
    ['IPv6 loopback', '::1'],
    ['a CIDR suffix', '10.0.0.0/8'],
    ['a leading zero (inet_pton refuses it)', '01.2.3.4'],
    ['a leading zero in the last part', '10.0.0.010'],
  ])('returns -1 for %s (%j)', (_what, text) => {
    expect(ipv4ToNumber(text)).toBe(-1)
  })
})
