/**
 * `;name=value` parameter lists as used by Via, name-addr header params and SIP URIs
 * (RFC 3261 §25.1 `generic-param`, `uri-parameter`). Names are case-insensitive and
 * stored lower-case; a parameter without `=` (a flag such as `lr` or `rport`) maps to
 * `null`. Values are kept verbatim (a quoted-string keeps its quotes) so formatting
 * reproduces them. SEMI and EQUAL allow whitespace around them (§25.1), which is trimmed.
 */
export type Params = Map<string, string | null>

/**
 * Parse the parameters in `text` from `start` to `end` (default: the end), where the text
 * is `;a=1;b` or `a=1;b`. Semicolons inside a quoted-string do not split. An empty
 * parameter (`;;`) is skipped. Later duplicates overwrite earlier ones.
 */
export function parseParams(text: string, start = 0, end = text.length, out: Params = new Map()): Params {
  let i = start
  while (i < end) {
    let j = i
    let inQuotes = false
    for (; j < end; j++) {
      const c = text.charCodeAt(j)
      if (inQuotes) {
        if (c === 0x5c) j++
        else if (c === 0x22) inQuotes = false
      } else if (c === 0x22) inQuotes = true
      else if (c === 0x3b /* ; */) break
    }
    if (j > end) j = end
    const eq = text.indexOf('=', i)
    if (eq !== -1 && eq < j) {
      const name = text.slice(i, eq).trim().toLowerCase()
      if (name !== '') out.set(name, text.slice(eq + 1, j).trim())
    } else {
      const name = text.slice(i, j).trim().toLowerCase()
      if (name !== '') out.set(name, null)
    }
    i = j + 1
  }
  return out
}

/** `;a=1;b` — the inverse of parseParams (empty string for no parameters). */
export function formatParams(params: Params): string {
  let out = ''
  for (const [name, value] of params) out += value === null ? `;${name}` : `;${name}=${value}`
  return out
}
