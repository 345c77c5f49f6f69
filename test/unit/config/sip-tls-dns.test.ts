import { describe, expect, it } from 'vitest'
import { dnsServers, loadConfig, readSipTls } from '../../../src/config/index.js'
import { tlsFixture } from '../../support/tls-sip-peer.js'

describe('SIP over TLS configuration (SIP_TLS_*)', () => {
  it('is off by default, with port 5061 and no outbound certificate check as sofia does', () => {
    const c = loadConfig({})
    expect(c).toMatchObject({ sipTlsPort: 5061, sipTlsVerify: 'none' })
    expect(readSipTls(c)).toBeUndefined()
  })

  it('reads the certificate, key and CA files when SIP_TLS_CERT and SIP_TLS_KEY are set', () => {
    const c = loadConfig({ SIP_TLS_CERT: tlsFixture('sip.pem'), SIP_TLS_KEY: tlsFixture('sip.key'), SIP_TLS_PORT: '5071', SIP_TLS_VERIFY: 'peer', SIP_TLS_CA: tlsFixture('ca.pem') })
    const tls = readSipTls(c)
    expect(tls?.port).toBe(5071)
    expect(tls?.credentials.verify).toBe('peer')
    expect(tls?.credentials.cert.toString()).toMatch(/BEGIN CERTIFICATE/)
    expect(tls?.credentials.ca?.toString()).toMatch(/BEGIN CERTIFICATE/)
  })

  it('refuses a certificate without a key, naming both variables', () => {
    expect(() => loadConfig({ SIP_TLS_CERT: tlsFixture('sip.pem') })).toThrow(/SIP_TLS_CERT and SIP_TLS_KEY go together/)
  })

  it('refuses SIP_TLS_CA without SIP_TLS_VERIFY=peer, and an unknown SIP_TLS_VERIFY', () => {
    expect(() => loadConfig({ SIP_TLS_CA: tlsFixture('ca.pem') })).toThrow(/SIP_TLS_CA is only used with SIP_TLS_VERIFY=peer/)
    expect(() => loadConfig({ SIP_TLS_VERIFY: 'yes' })).toThrow(/SIP_TLS_VERIFY/)
  })

  it('refuses a TLS port equal to SIP_PORT', () => {
    expect(() => loadConfig({ SIP_TLS_CERT: 'a', SIP_TLS_KEY: 'b', SIP_TLS_PORT: '5060' })).toThrow(/SIP_TLS_PORT \(5060\) must differ from SIP_PORT/)
  })

  it('names the variable whose file cannot be read, and a key that does not match', () => {
    const missing = loadConfig({ SIP_TLS_CERT: '/nonexistent/cert.pem', SIP_TLS_KEY: tlsFixture('sip.key') })
    expect(() => readSipTls(missing)).toThrow(/SIP_TLS_CERT="\/nonexistent\/cert.pem" cannot be read \(ENOENT\)/)
    const mismatched = loadConfig({ SIP_TLS_CERT: tlsFixture('sip.pem'), SIP_TLS_KEY: tlsFixture('untrusted.key') })
    expect(() => readSipTls(mismatched)).toThrow(/not a usable PEM certificate and matching key/)
  })
})

describe('DNS servers for RFC 3263 (SIP_DNS_SERVERS)', () => {
  it('uses the system resolvers by default', () => {
    expect(dnsServers(loadConfig({}))).toBeUndefined()
  })

  it('takes ip, ip:port, [ipv6] and [ipv6]:port, comma-separated', () => {
    const c = loadConfig({ SIP_DNS_SERVERS: '127.0.0.1:5353, 10.0.0.2,[::1]:53, ::1' })
    expect(dnsServers(c)).toEqual(['127.0.0.1:5353', '10.0.0.2', '[::1]:53', '::1'])
  })

  it('names a bad entry', () => {
    expect(() => loadConfig({ SIP_DNS_SERVERS: '127.0.0.1, dns.example.net' })).toThrow(/SIP_DNS_SERVERS entry "dns.example.net"/)
    expect(() => loadConfig({ SIP_DNS_SERVERS: '127.0.0.1:99999' })).toThrow(/SIP_DNS_SERVERS entry "127.0.0.1:99999"/)
  })
})
