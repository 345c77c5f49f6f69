/**
 * Composition root: config → logger → engine? → srf → media → http. No logic here.
 */
import { loadConfigOrExit } from './config/index.js'
import { buildServer } from './control/build-server.js'
import { createSipEngine, type SipEngine } from './engine/index.js'
import { createLogger } from './observability/logger.js'
import { startDemoApp } from './app/demo-app.js'
import { createEmbeddedMediaEngine } from './media/index.js'
import { connectSrf } from './sip/connect-srf.js'
import { failStart } from './util/fail-start.js'

const fail = (message: string, err?: unknown): never => failStart('livecall', message, err)
const config = loadConfigOrExit('livecall', process.env)
const logger = createLogger(config.logLevel)
const started = Date.now()

let engine: SipEngine | undefined
if (!config.drachtioHost) {
  engine = createSipEngine({
    sipHost: config.sipHost,
    sipPort: config.sipPort,
    drachtioPort: config.drachtioPort,
    drachtioSecret: config.drachtioSecret,
    logger: logger.child({ component: 'engine' }),
  })
  await engine.start().catch((err) => fail(`SIP engine cannot listen on ${config.sipHost}:${config.sipPort} (SIP) / 127.0.0.1:${config.drachtioPort} (drachtio)`, err))
}

const sip = await connectSrf({
  host: config.drachtioHost ?? '127.0.0.1',
  port: config.drachtioPort,
  secret: config.drachtioSecret,
  logger: logger.child({ component: 'sip' }),
}).catch((err) => fail('cannot connect to the drachtio server', err))
if (config.mediaEngine !== 'embedded') {
  logger.fatal('MEDIA_ENGINE=freeswitch is not available in this build yet; use embedded')
  process.exit(1)
}
const media = (() => {
  try {
    return createEmbeddedMediaEngine({
      host: config.rtpHost,
      portMin: config.rtpPortMin,
      portMax: config.rtpPortMax,
      io: config.rtpIo,
      logger: logger.child({ component: 'media' }),
    })
  } catch (err) {
    return fail('cannot start the media engine', err)
  }
})()
const app = startDemoApp({ srf: sip.srf, media, config, logger: logger.child({ component: 'demo-app' }) })

let draining = false
const http = buildServer({
  logger,
  health: () => ({
    status: draining ? 'draining' : sip.connected ? 'ok' : 'degraded',
    sip: { connected: sip.connected },
    uptimeSeconds: Math.round((Date.now() - started) / 1000),
    calls: app.activeCalls(),
    engine: engine?.counts(),
    media: { rtpIo: media.io.kind, endpoints: media.stats().endpoints },
  }),
})
await http.listen({ host: config.httpHost, port: config.httpPort }).catch((err) => fail(`HTTP cannot listen on ${config.httpHost}:${config.httpPort}`, err))

/** SIGTERM: stop taking calls, end the ones in progress, exit 0. */
async function shutdown(signal: string): Promise<void> {
  if (draining) return
  draining = true
  logger.info({ signal }, 'shutting down: refusing new calls, ending calls in progress')
  app.stopAccepting()
  await app.endAll()
  await http.close()
  sip.close()
  await app.close()
  await engine?.stop()
  logger.info('bye')
  process.exit(0)
}
process.once('SIGTERM', () => void shutdown('SIGTERM'))
process.once('SIGINT', () => void shutdown('SIGINT'))
