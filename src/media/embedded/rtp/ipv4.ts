/**
 * IPv4 addresses as unsigned 32-bit numbers (host order): the receive path compares
 * latched sources with one integer compare, and the native I/O takes them as is.
 */

/** "a.b.c.d" → number, or -1 when `text` is not a dotted-quad IPv4 literal (as inet_pton: no leading zeros). */
export function ipv4ToNumber(text: string): number {
  let value = 0
  let part = 0
  let digits = 0
  let dots = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 46 /* . */) {
      if (digits === 0 || ++dots > 3) return -1
      value = value * 256 + part
      part = 0
      digits = 0
    } else if (c >= 48 && c <= 57 && digits < 3 && !(digits === 1 && part === 0)) {
      part = part * 10 + (c - 48)
      digits++
      if (part > 255) return -1
    } else {
      return -1
    }
  }
  if (digits === 0 || dots !== 3) return -1
  return value * 256 + part
}

export function numberToIpv4(value: number): string {
  return `${(value >>> 24) & 255}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`
}
