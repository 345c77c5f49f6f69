import { createHash } from 'node:crypto'

/**
 * SIPp's message trace (`-trace_msg`, `SippResult.messages`) as a list of SIP messages,
 * so a test can assert what was on the wire from the far end's point of view: which
 * requests and responses, in which order, with which headers.
 */
export interface TracedMessage {
  /** as SIPp saw it: `received` from the server under test, or `sent` to it */
  dir: 'sent' | 'received'
  /** request method, or undefined for a response */
  method?: string
  /** response status, or undefined for a request */
  status?: number
  /** Request-URI of a request */
  uri?: string
  /** the whole message as traced */
  text: string
  /** first value of a header (case-insensitive name), or undefined */
  header(name: string): string | undefined
  /** CSeq as number and method */
  cseq: { seq: number; method: string }
}

/** SIPp writes a dashed line, then `<TRANSPORT> message received [n] bytes :` or `… message sent (n bytes):`. */
const BLOCK = /^-{20,}[^\n]*\n/m

export function parseSippTrace(trace: string): TracedMessage[] {
  const out: TracedMessage[] = []
  for (const block of trace.split(BLOCK)) {
    const head = /^[^\n]*message (received|sent)[^\n]*\n/.exec(block)
    if (!head) continue
    const text = block.slice(head[0].length).replace(/^\s*\n/, '').replace(/\r/g, '')
    const start = text.split('\n', 1)[0] ?? ''
    const req = /^([A-Z]+) (\S+) SIP\/2\.0/.exec(start)
    const res = /^SIP\/2\.0 (\d{3})/.exec(start)
    if (!req && !res) continue
    const headerPart = text.split('\n\n', 1)[0]
    const header = (name: string): string | undefined => {
      const re = new RegExp(`^${name.replace(/[-]/g, '\\-')}\\s*:\\s*(.*)$`, 'im')
      return re.exec(headerPart)?.[1]?.trim()
    }
    const cseqText = header('CSeq') ?? '0 ?'
    const [seq, method] = cseqText.split(/\s+/)
    out.push({
      dir: head[1] as 'sent' | 'received',
      method: req?.[1],
      status: res ? Number(res[1]) : undefined,
      uri: req?.[2],
      text,
      header,
      cseq: { seq: Number(seq), method: method ?? '' },
    })
  }
  return out
}

/** `INVITE`, `401 INVITE`, … in wire order: a compact view of a flow for assertion messages. */
export function flowOf(messages: TracedMessage[]): string[] {
  return messages.map((m) => m.method ?? `${m.status} ${m.cseq.method}`)
}

/** The parameters of a `Digest a="b", c=d` credentials or challenge value (RFC 2617 §3.2). */
export function digestParams(value: string): Record<string, string> {
  const params: Record<string, string> = {}
  const body = value.replace(/^\s*digest\s+/i, '')
  for (const m of body.matchAll(/([a-zA-Z0-9-]+)\s*=\s*(?:"([^"]*)"|([^\s,]+))/g)) params[m[1].toLowerCase()] = m[2] ?? m[3]
  return params
}

/**
 * Whether `credentials` (an Authorization or Proxy-Authorization value) answer the
 * challenge for `method` with this password: RFC 2617 §3.2.2 MD5 digest, with or
 * without qop=auth, over the `uri` the credentials name.
 */
export function digestIsValid(credentials: string, method: string, password: string): boolean {
  const p = digestParams(credentials)
  const md5 = (s: string): string => createHash('md5').update(s).digest('hex')
  const ha1 = md5(`${p.username}:${p.realm}:${password}`)
  const ha2 = md5(`${method}:${p.uri}`)
  const expected = p.qop ? md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`) : md5(`${ha1}:${p.nonce}:${ha2}`)
  return expected === p.response
}
