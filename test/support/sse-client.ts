/** One Server-Sent Event as a client parsed it (WHATWG HTML §9.2.6). */
export interface SseEvent {
  id?: string
  event: string
  data: string
}

/**
 * A real Server-Sent Events client over fetch (EventSource without its reconnection): the
 * events and comments it has read so far, in order, and waits for them.
 */
export class SseClient {
  readonly events: SseEvent[] = []
  readonly comments: string[] = []
  /** the HTTP status of the answer */
  status = 0
  private readonly abort = new AbortController()
  private readonly waiters = new Set<() => void>()
  private ended = false

  private constructor() {}

  /** Open `url` with `headers`; resolves once the response headers arrived. */
  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const c = new SseClient()
    const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: c.abort.signal })
    c.status = res.status
    if (!res.ok || !res.body) {
      c.ended = true
      c.body = await res.text()
      return c
    }
    void c.read(res.body)
    return c
  }

  /** the body of a non-2xx answer */
  body = ''

  get isEnded(): boolean {
    return this.ended
  }

  /** parsed JSON of every event's data */
  get data(): any[] {
    return this.events.map((e) => JSON.parse(e.data))
  }

  close(): void {
    this.abort.abort()
  }

  /** Wait until `predicate` holds for what was read (checked after every chunk). */
  async waitFor(predicate: (c: SseClient) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    if (predicate(this)) return
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (predicate(this)) done(resolve)
        else if (this.ended) done(() => reject(new Error(`SSE stream ended before ${what}; events: ${JSON.stringify(this.data)}`)))
      }
      const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${what}; events: ${JSON.stringify(this.data)}`))), timeoutMs)
      const done = (f: () => void): void => {
        clearTimeout(timer)
        this.waiters.delete(check)
        f()
      }
      this.waiters.add(check)
    })
  }

  private notify(): void {
    for (const w of [...this.waiters]) w()
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder()
    let buffer = ''
    let current: { id?: string; event?: string; data: string[] } = { data: [] }
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true })
        let nl: number
        while ((nl = buffer.search(/\r\n|\n|\r/)) >= 0) {
          const line = buffer.slice(0, nl)
          buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1))
          if (line === '') {
            if (current.data.length > 0) this.events.push({ id: current.id, event: current.event ?? 'message', data: current.data.join('\n') })
            current = { data: [] }
          } else if (line.startsWith(':')) {
            this.comments.push(line.slice(1).trim())
          } else {
            const colon = line.indexOf(':')
            const field = colon < 0 ? line : line.slice(0, colon)
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
            if (field === 'data') current.data.push(value)
            else if (field === 'id') current.id = value
            else if (field === 'event') current.event = value
          }
        }
        this.notify()
      }
    } catch {
      // aborted by close(), or the server ended the stream
    } finally {
      this.ended = true
      this.notify()
    }
  }
}
