/**
 * `application/x-www-form-urlencoded` encoding of a webhook payload, used for GET query
 * strings and form POSTs: one pair per top-level property; strings as they are, numbers
 * and booleans as text, objects and arrays JSON-encoded; `undefined` and `null` omitted.
 */
export function encodeForm(payload: object): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue
    if (typeof value === 'object') params.append(key, JSON.stringify(value))
    else params.append(key, String(value))
  }
  return params.toString()
}
