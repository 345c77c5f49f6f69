/**
 * Split a list header value at its top-level commas (RFC 3261 §7.3.1: `#element`).
 * Commas inside a quoted-string (with `\"` escapes, §25.1) or inside `<…>`
 * (a URI in a name-addr, §20.10) do not split. Elements are trimmed; empty
 * elements (`a, , b`) are dropped. A value without a top-level comma comes back
 * as a one-element array holding the value unchanged.
 */
export function splitList(value: string): string[] {
  const out: string[] = []
  let start = 0
  let inQuotes = false
  let inAngle = false
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (inQuotes) {
      if (c === 0x5c /* \ */) i++
      else if (c === 0x22 /* " */) inQuotes = false
    } else if (inAngle) {
      if (c === 0x3e /* > */) inAngle = false
    } else if (c === 0x22) {
      inQuotes = true
    } else if (c === 0x3c /* < */) {
      inAngle = true
    } else if (c === 0x2c /* , */) {
      const part = value.slice(start, i).trim()
      if (part !== '') out.push(part)
      start = i + 1
    }
  }
  if (start === 0) return [value]
  const last = value.slice(start).trim()
  if (last !== '') out.push(last)
  return out
}
