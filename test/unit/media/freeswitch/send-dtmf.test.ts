import { describe, expect, it } from 'vitest'
import { digitsPlayMs, sendDtmfArg } from '../../../../src/media/freeswitch/send-dtmf.js'

describe('FreeSWITCH sendDigits: the uuid_send_dtmf argument and how long the verb waits', () => {
  it('clamps the duration and writes digits@ms', () => {
    expect(sendDtmfArg('19#*', { durationMs: 200 })).toEqual({ arg: '19#*@200', durationMs: 200 })
    expect(sendDtmfArg('5', {})).toEqual({ arg: '5@500', durationMs: 500 })
    expect(sendDtmfArg('5', { durationMs: 10 }).durationMs).toBe(40)
  })

  it('waits for every digit, each w / W pause, and the last digit\'s end packets', () => {
    // four 200 ms digits: 4 × (200 + 250) + 200 for the last end packets
    expect(digitsPlayMs('19#*', 200)).toBe(2000)
    // 2, a 500 ms pause, 3 at the default 500 ms
    expect(digitsPlayMs('2w3', 500)).toBe(750 + 500 + 750 + 200)
    expect(digitsPlayMs('W', 500)).toBe(1200)
  })

  it('refuses a character that is not a digit before anything is sent', () => {
    expect(() => sendDtmfArg('12x', {})).toThrow(/"x" is not a DTMF digit/)
  })
})
