import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { loadConfig } from '../../src/config/index.js'
import { startLivecall, type Livecall } from '../../src/livecall.js'
import { PortPicker } from './ports.js'
import { WebhookScaffold } from './webhook-scaffold.js'

export interface LivecallHarnessOptions {
  /** extra environment (SIP_TRUNK, WEBHOOK_SECRET, …); CALL_HOOK / CALL_STATUS_HOOK default to the scaffold's /app and /status */
  env?: Record<string, string>
  /** run the built-in demo (no CALL_HOOK) */
  demo?: boolean
  /** how long assertClean() waits for state to drain, default 3000 ms */
  settleMs?: number
}

const POLL_MS = 25

/**
 * livecall in-process exactly as `npm start` composes it (src/livecall.ts), on free
 * ports of 127.0.0.1, with a webhook scaffold as its application server: CALL_HOOK is
 * the scaffold's `/app` and CALL_STATUS_HOOK its `/status`. `assertClean()` is the
 * leak check: zero calls, sessions, media endpoints, engine dialogs and transactions.
 */
export class LivecallHarness {
  private constructor(
    readonly lc: Livecall,
    readonly scaffold: WebhookScaffold,
    readonly ports: PortPicker,
    readonly sipPort: number,
    readonly httpPort: number,
    readonly recordingsDir: string,
    private readonly settleMs: number,
  ) {}

  static async start(opts: LivecallHarnessOptions = {}): Promise<LivecallHarness> {
    const ports = new PortPicker()
    const scaffold = await WebhookScaffold.start()
    const [sipPort, drachtioPort, httpPort] = await ports.pickMany(3)
    const rtpBase = 20000 + Math.floor(Math.random() * 200) * 100
    const recordingsDir = await mkdtemp(join(tmpdir(), 'livecall-rec-'))
    const config = loadConfig({
      SIP_PORT: String(sipPort),
      DRACHTIO_PORT: String(drachtioPort),
      HTTP_PORT: String(httpPort),
      RTP_PORT_MIN: String(rtpBase),
      RTP_PORT_MAX: String(rtpBase + 99),
      ACCOUNT_SID: 'AC00000000000000000000000000000001',
      API_KEY: 'test-api-key',
      RECORDINGS_DIR: recordingsDir,
      ...(opts.demo ? {} : { CALL_HOOK: scaffold.url('/app'), CALL_STATUS_HOOK: scaffold.url('/status') }),
      ...opts.env,
    })
    const logger = pino({ level: process.env.LIVECALL_TEST_LOG ?? 'silent' })
    const lc = await startLivecall(config, logger)
    await lc.http.listen({ host: '127.0.0.1', port: httpPort })
    return new LivecallHarness(lc, scaffold, ports, sipPort, httpPort, recordingsDir, opts.settleMs ?? 3000)
  }

  /** `host:port` for SIPp */
  get sipTarget(): string {
    return `127.0.0.1:${this.sipPort}`
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.httpPort}`
  }

  /** what must be zero between tests */
  counts(): Record<string, number> {
    const engine = this.lc.engine?.counts()
    return {
      calls: this.lc.registry.size(),
      sessions: this.lc.sessions.size,
      endpoints: this.lc.media.stats().endpoints,
      dialogs: engine?.dialogs ?? 0,
      transactions: engine?.transactions ?? 0,
      pendingRequests: engine?.pendingRequests ?? 0,
    }
  }

  /** Waits up to settleMs for every count to reach zero; throws with the counts otherwise. */
  async assertClean(): Promise<void> {
    const deadline = Date.now() + this.settleMs
    let counts = this.counts()
    while (Object.values(counts).some((n) => n > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, POLL_MS))
      counts = this.counts()
    }
    if (Object.values(counts).some((n) => n > 0)) throw new Error(`livecall left state behind: ${JSON.stringify(counts)}`)
  }

  async stop(): Promise<void> {
    await this.lc.stop()
    await this.scaffold.close()
    await rm(this.recordingsDir, { recursive: true, force: true })
  }
}

/** Vitest wiring: one livecall per file, the leak check after every test, routes reset. */
export function useLivecall(opts: LivecallHarnessOptions = {}): () => LivecallHarness {
  let h: LivecallHarness | undefined
  beforeAll(async () => {
    h = await LivecallHarness.start(opts)
  }, 30_000)
  afterEach(async () => {
    if (!h) return
    await h.assertClean()
    h.scaffold.reset()
  })
  afterAll(async () => {
    await h?.stop()
  })
  return () => {
    if (!h) throw new Error('livecall harness not started')
    return h
  }
}
