import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config/index.js'

describe('loadConfig', () => {
  it('gives every SPEC §2 default for an empty environment', () => {
    const c = loadConfig({})
    expect(c).toMatchObject({
      sipHost: '127.0.0.1',
      sipPort: 5060,
      drachtioPort: 9022,
      drachtioSecret: 'cymru',
      mediaEngine: 'embedded',
      rtpHost: '127.0.0.1',
      rtpPortMin: 40000,
      rtpPortMax: 49999,
      freeswitchPort: 8021,
      freeswitchSecret: 'ClueCon',
      httpHost: '127.0.0.1',
      httpPort: 3000,
      logLevel: 'info',
    })
    expect(c.drachtioHost).toBeUndefined()
    expect(c.callHook).toBeUndefined()
  })

  it('reads ports as integers and keeps DRACHTIO_HOST', () => {
    const c = loadConfig({ SIP_PORT: '5080', DRACHTIO_HOST: '10.0.0.5', DRACHTIO_PORT: '9023' })
    expect(c.sipPort).toBe(5080)
    expect(c.drachtioHost).toBe('10.0.0.5')
    expect(c.drachtioPort).toBe(9023)
  })

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ SIP_PORT: '' }).sipPort).toBe(5060)
  })

  it('names the variable of a non-integer port', () => {
    expect(() => loadConfig({ SIP_PORT: 'abc' })).toThrow(/SIP_PORT="abc" is not an integer/)
  })

  it('names the variable of an out-of-range port', () => {
    expect(() => loadConfig({ HTTP_PORT: '70000' })).toThrow(/HTTP_PORT/)
  })

  it('refuses an unknown LOG_LEVEL and MEDIA_ENGINE, listing both', () => {
    try {
      loadConfig({ LOG_LEVEL: 'loud', MEDIA_ENGINE: 'asterisk' })
      expect.unreachable()
    } catch (err: any) {
      expect(err.code).toBe('LIVECALL_ERR_CONFIG')
      expect(err.message).toMatch(/LOG_LEVEL/)
      expect(err.message).toMatch(/MEDIA_ENGINE/)
    }
  })

  it('takes RTP_IO auto (default), native or dgram, and refuses anything else', () => {
    expect(loadConfig({}).rtpIo).toBe('auto')
    expect(loadConfig({ RTP_IO: 'native' }).rtpIo).toBe('native')
    expect(loadConfig({ RTP_IO: 'dgram' }).rtpIo).toBe('dgram')
    expect(() => loadConfig({ RTP_IO: 'io_uring' })).toThrow(/RTP_IO/)
  })

  it('refuses an RTP range whose minimum is above its maximum', () => {
    expect(() => loadConfig({ RTP_PORT_MIN: '50000', RTP_PORT_MAX: '40000' })).toThrow(/RTP_PORT_MIN/)
  })

  it('refuses a CALL_HOOK that is not an http(s) URL', () => {
    expect(() => loadConfig({ CALL_HOOK: 'ftp://x' })).toThrow(/CALL_HOOK/)
  })

  it('FREESWITCH_LISTEN_PORT defaults to 8085 (not OS-assigned), takes 0..65535, and 0.0.0.0 needs FREESWITCH_ADVERTISED_HOST', () => {
    expect(loadConfig({}).freeswitchListenPort).toBe(8085)
    expect(loadConfig({}).freeswitchListenHost).toBeUndefined()
    expect(loadConfig({ FREESWITCH_LISTEN_PORT: '8090' }).freeswitchListenPort).toBe(8090)
    expect(loadConfig({ FREESWITCH_LISTEN_PORT: '0' }).freeswitchListenPort).toBe(0)
    expect(() => loadConfig({ FREESWITCH_LISTEN_PORT: '70000' })).toThrow(/FREESWITCH_LISTEN_PORT/)
    expect(() => loadConfig({ FREESWITCH_LISTEN_PORT: 'x' })).toThrow(/FREESWITCH_LISTEN_PORT="x" is not an integer/)
    expect(() => loadConfig({ FREESWITCH_LISTEN_HOST: '0.0.0.0' })).toThrow(/FREESWITCH_ADVERTISED_HOST/)
    expect(loadConfig({ FREESWITCH_LISTEN_HOST: '0.0.0.0', FREESWITCH_ADVERTISED_HOST: '10.0.0.7' })).toMatchObject({ freeswitchListenHost: '0.0.0.0', freeswitchAdvertisedHost: '10.0.0.7' })
  })
})
