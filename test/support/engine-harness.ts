import { connect } from 'node:net'
import Srf from 'drachtio-srf'
import { loadConfig } from '../../src/config/index.js'
import { createSipEngine, type SipEngineOptions } from '../../src/engine/index.js'
import { PortPicker } from './ports.js'

export type SipEngine = ReturnType<typeof createSipEngine>
export type EngineCounts = ReturnType<SipEngine['counts']>

/**
 * Which server the tests talk to. Most behaviour is the same on both; where the engine
 * deliberately differs (docs/engine.md, "Compared with drachtio-server") a test asserts
 * each server's own documented behaviour.
 */
export enum ServerUnderTest {
  /** the embedded engine, started by the harness; `counts()` and `stats()` available */
  Embedded = 'embedded',
  /** an external drachtio-server named by DRACHTIO_HOST; no counts, leak checks skipped */
  DrachtioServer = 'drachtio-server',
}

/** Where the SIP side and the drachtio side of the server under test listen. */
export interface EngineEndpoints {
  sipHost: string
  sipPort: number
  drachtioHost: string
  drachtioPort: number
  drachtioSecret: string
  /** the SIP over TLS port, when the engine was started with TLS */
  sipTlsPort?: number
}

export interface EngineHarnessOptions {
  /** environment that may name an external drachtio-server (DRACHTIO_HOST, …); none by default */
  env?: Record<string, string | undefined>
  /** how long `assertClean()` waits for state to drain, default 1500 ms */
  settleMs?: number
  /** more options for the embedded engine (TLS, DNS servers, timers); ignored for an external server */
  engineOptions?: (ports: PortPicker) => Promise<Partial<SipEngineOptions>> | Partial<SipEngineOptions>
}

const SECRET = 'cymru'
const POLL_MS = 25

/**
 * The server under test plus the drachtio-srf apps connected to it.
 *
 * By default it starts the embedded engine on free ports of 127.0.0.1. When the
 * environment names `DRACHTIO_HOST`, it uses that drachtio-server instead
 * (`DRACHTIO_PORT`, `DRACHTIO_SECRET`, `SIP_HOST`, `SIP_PORT`): the same tests then run
 * against the real thing, and the leak checks (which need `engine.counts()`) are skipped.
 */
export class EngineHarness {
  private readonly apps: Srf[] = []

  private constructor(
    readonly endpoints: EngineEndpoints,
    /** the embedded engine; null when testing an external drachtio-server */
    readonly engine: SipEngine | null,
    readonly ports: PortPicker,
    private readonly settleMs: number,
  ) {}

  static async start(opts: EngineHarnessOptions = {}): Promise<EngineHarness> {
    const ports = new PortPicker()
    const settleMs = opts.settleMs ?? 1500
    const config = loadConfig(opts.env ?? {})
    if (config.drachtioHost) {
      const endpoints = {
        sipHost: config.sipHost,
        sipPort: config.sipPort,
        drachtioHost: config.drachtioHost,
        drachtioPort: config.drachtioPort,
        drachtioSecret: config.drachtioSecret,
        // an external server's SIP over TLS port, when the run names one
        sipTlsPort: opts.env?.SIP_TLS_PORT ? config.sipTlsPort : undefined,
      }
      await assertListening(endpoints.drachtioHost, endpoints.drachtioPort)
      return new EngineHarness(endpoints, null, ports, settleMs)
    }
    const [sipPort, drachtioPort] = await ports.pickMany(2)
    const extra = (await opts.engineOptions?.(ports)) ?? {}
    const endpoints = {
      sipHost: '127.0.0.1', sipPort, drachtioHost: '127.0.0.1', drachtioPort, drachtioSecret: SECRET, sipTlsPort: extra.tls?.port,
    }
    const engine = createSipEngine({ sipHost: '127.0.0.1', sipPort, drachtioPort, drachtioSecret: SECRET, ...extra })
    await engine.start()
    return new EngineHarness(endpoints, engine, ports, settleMs)
  }

  get server(): ServerUnderTest {
    return this.engine ? ServerUnderTest.Embedded : ServerUnderTest.DrachtioServer
  }

  /** `host:port` of the server's SIP side, as a SIPp target. */
  get sipTarget(): string {
    return `${this.endpoints.sipHost}:${this.endpoints.sipPort}`
  }

  /**
   * A new drachtio-srf app, connected and authenticated. `setup` registers its request
   * handlers first, so its `route` messages reach the server before any SIP can arrive.
   */
  async connectSrf(setup?: (srf: Srf) => void): Promise<Srf> {
    const srf = new Srf()
    srf.on('error', () => undefined) // a dropped connection shows up in the test's own assertions
    setup?.(srf)
    this.apps.push(srf)
    const { drachtioHost: host, drachtioPort: port, drachtioSecret: secret } = this.endpoints
    await new Promise<void>((resolve, reject) => {
      srf.on('connect', (err: Error | null) => (err ? reject(err) : resolve()))
      void srf.connect({ host, port, secret })
    })
    return srf
  }

  /** Disconnect every app `connectSrf()` made. */
  disconnectApps(): void {
    for (const srf of this.apps.splice(0)) {
      try {
        srf.disconnect()
      } catch {
        // already gone
      }
    }
  }

  /**
   * Nothing is left behind: no transaction still holding state, no dialog, no request
   * waiting for an app, no proxy operation. Completed transactions that only absorb retransmissions (Timers
   * D, I, J, K of RFC 3261 §17) are not state an app can see and are not counted by
   * `engine.counts()`. Waits up to `settleMs` for in-flight clean-up, then throws with
   * the counts. A no-op against an external server.
   */
  async assertClean(): Promise<void> {
    const engine = this.engine
    if (!engine) return
    const deadline = Date.now() + this.settleMs
    let counts = engine.counts()
    while (Date.now() < deadline) {
      counts = engine.counts()
      if (counts.transactions === 0 && counts.dialogs === 0 && counts.pendingRequests === 0 && !counts.proxies) return
      await sleep(POLL_MS)
    }
    throw new Error(`engine left state behind after ${this.settleMs} ms: ${JSON.stringify(counts)}`)
  }

  /** Every app connection is gone from the engine (after `disconnectApps()`). */
  async assertAppsGone(): Promise<void> {
    const engine = this.engine
    if (!engine) return
    const deadline = Date.now() + this.settleMs
    while (Date.now() < deadline && engine.counts().appConnections > 0) await sleep(POLL_MS)
    const left = engine.counts().appConnections
    if (left > 0) throw new Error(`engine still counts ${left} app connection(s)`)
  }

  async stop(): Promise<void> {
    this.disconnectApps()
    await this.engine?.stop()
  }
}

/**
 * External-server mode: the drachtio-server named by DRACHTIO_HOST/DRACHTIO_PORT accepts a
 * TCP connection, or the file fails at once naming the address (srf would otherwise retry
 * its connection until every test has timed out).
 */
function assertListening(host: string, port: number, timeoutMs = 3000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = connect({ host, port })
    const done = (err?: string): void => {
      clearTimeout(timer)
      socket.destroy()
      if (err) reject(new Error(`external drachtio-server (DRACHTIO_HOST) not reachable at ${host}:${port}: ${err}`))
      else resolve()
    }
    const timer = setTimeout(() => done(`no answer within ${timeoutMs} ms`), timeoutMs)
    socket.once('connect', () => done())
    socket.once('error', (err) => done(err.message))
  })
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** A minimal PCMU offer/answer for an app leg (RFC 4566; direction per RFC 3264 §5.1). */
export function pcmuSdp(rtpPort: number, direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' = 'sendrecv'): string {
  return [
    'v=0',
    `o=livecall ${rtpPort} ${rtpPort} IN IP4 127.0.0.1`,
    's=livecall',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${rtpPort} RTP/AVP 0`,
    'a=rtpmap:0 PCMU/8000',
    `a=${direction}`,
    '',
  ].join('\r\n')
}

/** Resolves on the first call of the returned callback; for "the app saw X" assertions. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** Rejects after `ms` with `what` in the message, so a missing event fails fast and says which. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
