import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { loadConfig } from '../../src/config/index.js'
import { startLivecall, type Livecall } from '../../src/livecall.js'
import { FreeswitchMediaEngine } from '../../src/media/freeswitch/index.js'
import { PortPicker } from './ports.js'
import { assertReachable, testShape, TestShape, type TestShapeSettings } from './test-shape.js'
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
 * livecall in-process exactly as `npm start` composes it (src/livecall.ts), with a
 * webhook scaffold as its application server: CALL_HOOK is the scaffold's `/app` and
 * CALL_STATUS_HOOK its `/status`. The shape comes from test-shape.ts: embedded (default:
 * livecall's own SIP engine and RTP media engine on free ports of 127.0.0.1) or production
 * (LIVECALL_TEST_SHAPE=production: a real drachtio-server and FreeSWITCH; a suite fails
 * naming the address when either is not reachable). `assertClean()` is the leak check:
 * zero calls, sessions and media endpoints; embedded, zero engine dialogs and transactions;
 * production, zero FreeSWITCH channels.
 */
export class LivecallHarness {
  private constructor(
    readonly lc: Livecall,
    readonly scaffold: WebhookScaffold,
    readonly ports: PortPicker,
    readonly sipHost: string,
    readonly sipPort: number,
    readonly httpPort: number,
    readonly recordingsDir: string,
    private readonly settleMs: number,
    /** production: FreeSWITCH's channels when this livecall started (left by an earlier file, not ours) */
    private readonly freeswitchBaseline: number,
  ) {}

  /** the shape this harness runs (one per test run, test-shape.ts) */
  get shape(): TestShape {
    return testShape.shape
  }

  static async start(opts: LivecallHarnessOptions = {}): Promise<LivecallHarness> {
    const ports = new PortPicker()
    const shaped = await shapeEnv(testShape, ports)
    const scaffold = await WebhookScaffold.start()
    const httpPort = await ports.pick()
    const recordingsDir = await mkdtemp(join(tmpdir(), 'livecall-rec-'))
    // production: FreeSWITCH writes the recordings (uuid_record), maybe as another user
    if (testShape.shape === TestShape.Production) await chmod(recordingsDir, 0o777)
    const config = loadConfig({
      ...shaped.env,
      HTTP_PORT: String(httpPort),
      ACCOUNT_SID: 'AC00000000000000000000000000000001',
      API_KEY: 'test-api-key',
      RECORDINGS_DIR: recordingsDir,
      ...(opts.demo ? {} : { CALL_HOOK: scaffold.url('/app'), CALL_STATUS_HOOK: scaffold.url('/status') }),
      ...opts.env,
    })
    const logger = pino({ level: process.env.LIVECALL_TEST_LOG ?? 'silent' })
    const lc = await startLivecall(config, logger).catch(async (err: Error) => {
      await scaffold.close()
      throw err
    })
    await lc.http.listen({ host: '127.0.0.1', port: httpPort })
    const baseline = lc.media instanceof FreeswitchMediaEngine ? await lc.media.channelCount() : 0
    if (baseline > 0) console.warn(`FreeSWITCH already has ${baseline} channel(s) before this file's first test (left by an earlier run); the leak check counts only new ones`)
    return new LivecallHarness(lc, scaffold, ports, shaped.sipHost, shaped.sipPort, httpPort, recordingsDir, opts.settleMs ?? 3000, baseline)
  }

  /** `host:port` for SIPp: the embedded engine, or drachtio-server's SIP side */
  get sipTarget(): string {
    return `${this.sipHost}:${this.sipPort}`
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

  /** counts() plus, in the production shape, FreeSWITCH's own channel count */
  async allCounts(): Promise<Record<string, number>> {
    const counts = this.counts()
    if (this.lc.media instanceof FreeswitchMediaEngine) counts.freeswitchChannels = Math.max(0, (await this.lc.media.channelCount()) - this.freeswitchBaseline)
    return counts
  }

  /** Waits up to settleMs for every count to reach zero; throws with the counts otherwise. */
  async assertClean(): Promise<void> {
    const deadline = Date.now() + this.settleMs
    let counts = await this.allCounts()
    while (Object.values(counts).some((n) => n > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, this.lc.media instanceof FreeswitchMediaEngine ? 4 * POLL_MS : POLL_MS))
      counts = await this.allCounts()
    }
    if (Object.values(counts).some((n) => n > 0)) throw new Error(`livecall left state behind: ${JSON.stringify(counts)}`)
  }

  async stop(): Promise<void> {
    await this.lc.stop()
    await this.scaffold.close()
    await rm(this.recordingsDir, { recursive: true, force: true })
  }
}

/**
 * The shape's part of livecall's environment, and where the far ends send SIP. Production:
 * fails naming the address when drachtio-server or FreeSWITCH does not answer.
 */
async function shapeEnv(shape: TestShapeSettings, ports: PortPicker): Promise<{ env: Record<string, string>; sipHost: string; sipPort: number }> {
  if (shape.shape === TestShape.Production) {
    const { drachtio, sip, freeswitch } = shape
    await assertReachable('drachtio-server', drachtio.host, drachtio.port)
    await assertReachable('FreeSWITCH', freeswitch.host, freeswitch.port)
    const listenPort = freeswitch.listenPort ?? (await ports.pick())
    // in the output, so a run says which shape it tested
    console.info(`livecall e2e, production shape: drachtio-server ${drachtio.host}:${drachtio.port} (SIP ${sip.host}:${sip.port}), FreeSWITCH ${freeswitch.host}:${freeswitch.port}, outbound event sockets on ${listenPort}`)
    return {
      sipHost: sip.host,
      sipPort: sip.port,
      env: {
        DRACHTIO_HOST: drachtio.host,
        DRACHTIO_PORT: String(drachtio.port),
        DRACHTIO_SECRET: drachtio.secret,
        MEDIA_ENGINE: 'freeswitch',
        FREESWITCH_HOST: freeswitch.host,
        FREESWITCH_PORT: String(freeswitch.port),
        FREESWITCH_SECRET: freeswitch.secret,
        FREESWITCH_LISTEN_PORT: String(listenPort),
      },
    }
  }
  const [sipPort, drachtioPort] = await ports.pickMany(2)
  const rtpBase = 20000 + Math.floor(Math.random() * 200) * 100
  return {
    sipHost: '127.0.0.1',
    sipPort: sipPort!,
    env: {
      SIP_PORT: String(sipPort),
      DRACHTIO_PORT: String(drachtioPort),
      RTP_PORT_MIN: String(rtpBase),
      RTP_PORT_MAX: String(rtpBase + 99),
    },
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
