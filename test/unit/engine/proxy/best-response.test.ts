import { describe, expect, it } from 'vitest'
import { bestResponse } from '../../../../src/engine/proxy/best-response.js'

describe('proxy best response (RFC 3261 §16.7 step 6, drachtio-server order)', () => {
  it('a 6xx beats everything', () => {
    expect(bestResponse([486, 503, 603, 302])).toBe(2)
  })

  it('a challenge or another response the caller can act on beats other 4xx', () => {
    expect(bestResponse([486, 407, 404])).toBe(1)
    expect(bestResponse([404, 484])).toBe(1)
  })

  it('4xx beats 5xx, 5xx beats 3xx', () => {
    expect(bestResponse([500, 486])).toBe(1)
    expect(bestResponse([302, 503])).toBe(1)
  })

  it('among equals the earliest branch wins; none at all is -1', () => {
    expect(bestResponse([486, 404])).toBe(0)
    expect(bestResponse([])).toBe(-1)
  })
})
