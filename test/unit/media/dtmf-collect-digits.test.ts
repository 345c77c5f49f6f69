import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DtmfDetector, collectDigits, encodeTelephoneEvent } from '../../../src/media/embedded/dtmf/index.js'

/** Presses keys on a real DtmfDetector: one event per key, end packet sent 3 times. */
class Keypad {
  readonly detector = new DtmfDetector()
  private ts = 0
  private seq = 0
  press(keys: string): void {
    for (const k of keys) {
      this.ts += 1600
      const end = encodeTelephoneEvent({ event: k, duration: 800, end: true })!
      for (let i = 0; i < 3; i++) this.detector.feed(end, this.ts, this.seq++)
    }
  }
}

describe('collectDigits', () => {
  let pad: Keypad
  beforeEach(() => {
    vi.useFakeTimers()
    pad = new Keypad()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('ends with maxDigits as soon as enough digits are typed', async () => {
    const p = collectDigits(pad.detector, { maxDigits: 4, timeoutMs: 5000 })
    pad.press('12345')
    expect(await p).toEqual({ digits: '1234', reason: 'maxDigits' })
    expect(vi.getTimerCount()).toBe(0)
  })

  it('ends on finishOnKey, which is not included in the digits', async () => {
    const p = collectDigits(pad.detector, { maxDigits: 10, finishOnKey: '#', timeoutMs: 5000 })
    pad.press('42#7')
    expect(await p).toEqual({ digits: '42', reason: 'finishOnKey' })
  })

  it('ends on finishOnKey even below minDigits (as jambonz gather)', async () => {
    const p = collectDigits(pad.detector, { minDigits: 3, finishOnKey: '*' })
    pad.press('1*')
    expect(await p).toEqual({ digits: '1', reason: 'finishOnKey' })
  })

  it('times out with no digit after timeoutMs', async () => {
    const p = collectDigits(pad.detector, { timeoutMs: 3000, interDigitTimeoutMs: 1000 })
    vi.advanceTimersByTime(2999)
    vi.advanceTimersByTime(1)
    expect(await p).toEqual({ digits: '', reason: 'timeout' })
  })

  it('timeoutMs is an overall limit: digits do not restart it', async () => {
    const p = collectDigits(pad.detector, { timeoutMs: 3000, interDigitTimeoutMs: 2000 })
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(700)
      pad.press(String(i))
    }
    // 3500 ms in: the overall timer fired at 3000 with the four digits typed by then
    expect(await p).toEqual({ digits: '0123', reason: 'timeout' })
  })

  it('ends on interDigitTimeout after the last digit', async () => {
    const p = collectDigits(pad.detector, { timeoutMs: 20000, interDigitTimeoutMs: 2000 })
    pad.press('9')
    vi.advanceTimersByTime(1500)
    pad.press('8')
    vi.advanceTimersByTime(1999)
    vi.advanceTimersByTime(1)
    expect(await p).toEqual({ digits: '98', reason: 'interDigitTimeout' })
  })

  it('starts the inter-digit timer only once minDigits were typed', async () => {
    const p = collectDigits(pad.detector, { minDigits: 2, timeoutMs: 10000, interDigitTimeoutMs: 1000 })
    pad.press('5')
    vi.advanceTimersByTime(5000) // below minDigits: no inter-digit timeout
    pad.press('6')
    vi.advanceTimersByTime(1000)
    expect(await p).toEqual({ digits: '56', reason: 'interDigitTimeout' })
  })

  it('resolves aborted when the signal aborts, keeping the digits typed so far', async () => {
    const ac = new AbortController()
    const p = collectDigits(pad.detector, { timeoutMs: 10000 }, ac.signal)
    pad.press('31')
    ac.abort()
    expect(await p).toEqual({ digits: '31', reason: 'aborted' })
    expect(vi.getTimerCount()).toBe(0)
  })

  it('resolves aborted at once for an already aborted signal', async () => {
    const ac = new AbortController()
    ac.abort()
    expect(await collectDigits(pad.detector, { timeoutMs: 10000 }, ac.signal)).toEqual({ digits: '', reason: 'aborted' })
  })

  it('stops listening once resolved: later digits go nowhere', async () => {
    const seen: string[] = []
    pad.detector.on('digit', (d) => seen.push(d))
    const p = collectDigits(pad.detector, { maxDigits: 1 })
    pad.press('1')
    await p
    const again = collectDigits(pad.detector, { maxDigits: 2 })
    pad.press('23')
    expect(await again).toEqual({ digits: '23', reason: 'maxDigits' })
    expect(seen).toEqual(['1', '2', '3'])
  })
})
