/**
 * The whole product wired together: config → logger → engine? → srf → media → calls →
 * http. `main.ts` runs it as a process; tests start it in-process. No call logic here.
 */
import { randomBytes } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { acceptInboundCalls } from './app/inbound-calls.js'
import type { AppDeps } from './app/app-deps.js'
import type { CallSession } from './app/call-session.js'
import { LiveControl } from './app/live-control/live-control.js'
import { ConferenceRooms } from './app/conference/conference-rooms.js'
import { trackCall } from './app/call-tracker.js'
import { CallEvents } from './app/events/call-events.js'
import { resolveHook, WebhookClient } from './app/webhook/index.js'
import { InMemoryCallRegistry } from './call/call-registry.js'
import { dnsServers, readSipTls, type Config } from './config/index.js'
import { buildServer } from './control/build-server.js'
import { createSipEngine, type SipEngine } from './engine/index.js'
import { LivecallError } from './errors/index.js'
import { createEmbeddedMediaEngine, type EmbeddedMediaEngine } from './media/index.js'
import { FreeswitchMediaEngine } from './media/freeswitch/index.js'
import { Metrics } from './observability/metrics.js'
import { connectSrf } from './sip/connect-srf.js'

export const DEFAULT_GREETING = 'Hello from livecall. Goodbye.'

export interface Livecall {
  readonly config: Config
  readonly accountSid: string
  readonly apiKey: string
  readonly http: FastifyInstance
  readonly registry: InMemoryCallRegistry
  readonly media: EmbeddedMediaEngine | FreeswitchMediaEngine
  readonly engine: SipEngine | undefined
  readonly webhooks: WebhookClient
  readonly sessions: Map<string, CallSession>
  /** the call event stream's bus (GET …/Events) */
  readonly events: CallEvents
  /** SIGTERM: refuse new calls, end the ones in progress, close everything */
  stop(): Promise<void>
}

/** Start livecall; throws LivecallError('LIVECALL_ERR_CONFIG', …) naming what could not start. */
export async function startLivecall(config: Config, logger: Logger): Promise<Livecall> {
  const started = Date.now()
  const accountSid = config.accountSid ?? `AC${randomBytes(16).toString('hex')}`
  const apiKey = config.apiKey ?? randomBytes(24).toString('base64url')
  if (!config.accountSid || !config.apiKey) {
    logger.info({ account_sid: accountSid, api_key: config.apiKey ? '(from API_KEY)' : apiKey }, 'control plane credentials (generated; set ACCOUNT_SID / API_KEY to fix them)')
  }
  // recordings (the record verb, the control API's record) go here: made at start, so a missing folder is a start-up error, not a failed call
  await mkdir(config.recordingsDir, { recursive: true }).catch((err: unknown) => {
    throw new LivecallError('LIVECALL_ERR_CONFIG', `RECORDINGS_DIR ${config.recordingsDir} cannot be created`, 500, { cause: err })
  })

  let engine: SipEngine | undefined
  if (!config.drachtioHost) {
    engine = createSipEngine({
      sipHost: config.sipHost,
      sipPort: config.sipPort,
      drachtioPort: config.drachtioPort,
      drachtioSecret: config.drachtioSecret,
      tls: readSipTls(config),
      dnsServers: dnsServers(config),
      logger: logger.child({ component: 'engine' }),
    })
    await engine.start().catch((err: unknown) => {
      throw new LivecallError('LIVECALL_ERR_CONFIG', `SIP engine cannot listen on ${config.sipHost}:${config.sipPort} (SIP) / 127.0.0.1:${config.drachtioPort} (drachtio): ${(err as Error).message}`, 500, { cause: err })
    })
  }
  const sip = await connectSrf({ host: config.drachtioHost ?? '127.0.0.1', port: config.drachtioPort, secret: config.drachtioSecret, logger: logger.child({ component: 'sip' }) })
    .catch(async (err: unknown) => {
      await engine?.stop()
      throw new LivecallError('LIVECALL_ERR_CONFIG', 'cannot connect to the drachtio server', 500, { cause: err })
    })
  let media: EmbeddedMediaEngine | FreeswitchMediaEngine
  try {
    media = config.mediaEngine === 'freeswitch' ? await FreeswitchMediaEngine.connect({
      srf: sip.srf,
      host: config.freeswitchHost,
      port: config.freeswitchPort,
      secret: config.freeswitchSecret,
      listenPort: config.freeswitchListenPort,
      listenHost: config.freeswitchListenHost,
      advertisedHost: config.freeswitchAdvertisedHost,
      mediaTimeoutMs: config.rtpTimeoutS === 0 ? undefined : config.rtpTimeoutS * 1000,
      logger: logger.child({ component: 'media' }),
    }) : createEmbeddedMediaEngine({
      host: config.rtpHost,
      portMin: config.rtpPortMin,
      portMax: config.rtpPortMax,
      io: config.rtpIo,
      rtpTimeoutMs: config.rtpTimeoutS === 0 ? Number.POSITIVE_INFINITY : config.rtpTimeoutS * 1000,
      logger: logger.child({ component: 'media' }),
    })
  } catch (err) {
    sip.close()
    await engine?.stop()
    const what = config.mediaEngine === 'freeswitch' ? `FreeSWITCH media at ${config.freeswitchHost}:${config.freeswitchPort} (${(err as Error).message})` : 'the media engine'
    throw new LivecallError('LIVECALL_ERR_CONFIG', `cannot start ${what}`, 500, { cause: err })
  }

  const registry = new InMemoryCallRegistry()
  const metrics = new Metrics({
    callsInProgress: () => registry.size(),
    mediaEndpoints: () => media.stats().endpoints,
    engineCounts: () => (engine ? { ...engine.counts() } : undefined),
  })
  const webhooks = new WebhookClient({
    secret: config.webhookSecret,
    timeoutMs: config.webhookTimeoutMs,
    logger: logger.child({ component: 'webhook' }),
    onResult: (r) => metrics.webhook(r.outcome, r.ms),
  })
  const sessions = new Map<string, CallSession>()
  const events = new CallEvents()
  const deps: AppDeps = {
    srf: sip.srf,
    media,
    registry,
    webhooks,
    conferences: new ConferenceRooms(accountSid),
    logger: logger.child({ component: 'call' }),
    settings: { accountSid, apiKey, sipTrunk: config.sipTrunk, recordingsDir: config.recordingsDir, demoGreeting: DEFAULT_GREETING },
    track: (call) => trackCall({ registry, webhooks, events, onEnded: (c) => metrics.callEnded(c.state, c.direction) }, call),
  }
  const inbound = acceptInboundCalls(deps, {
    callHook: config.callHook ? resolveHook(config.callHook) : undefined,
    statusHook: config.callStatusHook ? resolveHook(config.callStatusHook) : undefined,
    format: config.callHookFormat,
  }, sessions)

  let draining = false
  const http = buildServer({
    logger,
    metrics,
    live: { control: new LiveControl(deps, sessions, events), apiKey, events },
    health: () => ({
      status: draining ? 'draining' : sip.connected ? 'ok' : 'degraded',
      sip: { connected: sip.connected },
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      calls: registry.size(),
      engine: engine?.counts(),
      media: { rtpIo: 'io' in media ? media.io.kind : 'freeswitch', endpoints: media.stats().endpoints },
    }),
  })

  return {
    config, accountSid, apiKey, http, registry, media, engine, webhooks, sessions, events,
    async stop() {
      if (draining) return
      draining = true
      inbound.stopAccepting()
      await inbound.endAll()
      await http.close()
      await webhooks.drain()
      sip.close()
      await media.close()
      await webhooks.close()
      await engine?.stop()
    },
  }
}
