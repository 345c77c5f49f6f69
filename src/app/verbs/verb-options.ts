import type { Hook } from '../webhook/index.js'
import { appInvalid } from './verb-errors.js'

/** Small typed readers for verb properties (after jambonz's schema check has run). */
export function optString(data: Record<string, unknown>, key: string): string | undefined {
  const v = data[key]
  return typeof v === 'string' ? v : undefined
}

export function optNumber(data: Record<string, unknown>, key: string): number | undefined {
  const v = data[key]
  if (v === undefined || v === null || v === '') return undefined
  const n = typeof v === 'number' ? v : Number(v)
  if (!Number.isFinite(n)) throw appInvalid(`${key} must be a number, got ${JSON.stringify(v)}`)
  return n
}

export function optBoolean(data: Record<string, unknown>, key: string): boolean | undefined {
  const v = data[key]
  return typeof v === 'boolean' ? v : undefined
}

export function optHook(data: Record<string, unknown>, key: string): Hook | undefined {
  const v = data[key]
  if (v === undefined) return undefined
  if (typeof v === 'string' && v.length > 0) return v
  if (typeof v === 'object' && v !== null && typeof (v as { url?: unknown }).url === 'string') return v as Hook
  throw appInvalid(`${key} must be a URL or {url, method}`)
}

export function optObject(data: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const v = data[key]
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
}

/** jambonz `loop`: a number, or "forever" (played until the verb is interrupted) */
export function loopCount(data: Record<string, unknown>): number {
  const v = data.loop
  if (v === undefined) return 1
  if (v === 'forever' || v === 0 || v === '0') return Number.POSITIVE_INFINITY
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1) throw appInvalid(`loop must be a positive integer or "forever", got ${JSON.stringify(v)}`)
  return n
}

export function headersOf(data: Record<string, unknown>, key = 'headers'): Record<string, string> {
  const h = optObject(data, key) ?? {}
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(h)) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) throw appInvalid(`${key}: ${JSON.stringify(name)} is not a SIP header name`)
    if (typeof value !== 'string' && typeof value !== 'number') throw appInvalid(`${key}.${name} must be a string`)
    const text = String(value)
    if (/[\r\n]/.test(text)) throw appInvalid(`${key}.${name} contains a line break`)
    out[name] = text
  }
  return out
}
