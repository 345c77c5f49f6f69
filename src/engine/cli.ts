/**
 * `npm run engine`: the embedded SIP engine alone, a drop-in for drachtio-server that any
 * drachtio-srf app can connect to. SIP on SIP_HOST:SIP_PORT (UDP and TCP), SIP over TLS
 * on SIP_TLS_PORT when SIP_TLS_CERT/SIP_TLS_KEY are set, the wire protocol on
 * 127.0.0.1:DRACHTIO_PORT with DRACHTIO_SECRET.
 */
import { dnsServers, loadConfigOrExit, readSipTls, type SipTlsSettings } from '../config/index.js'
import { failStart } from '../util/fail-start.js'
import { createLogger } from '../observability/logger.js'
import { createSipEngine } from './sip-engine.js'

const config = loadConfigOrExit('livecall engine', process.env)
const logger = createLogger(config.logLevel)
let tls: SipTlsSettings | undefined
try {
  tls = readSipTls(config)
} catch (err) {
  failStart('livecall engine', 'cannot start', err)
}
const engine = createSipEngine({
  sipHost: config.sipHost,
  sipPort: config.sipPort,
  drachtioPort: config.drachtioPort,
  drachtioSecret: config.drachtioSecret,
  tls,
  dnsServers: dnsServers(config),
  logger,
})

const tlsText = tls ? ` / ${config.sipHost}:${tls.port} (SIP over TLS)` : ''
await engine.start().catch((err) => failStart('livecall engine', `cannot listen on ${config.sipHost}:${config.sipPort} (SIP)${tlsText} / 127.0.0.1:${config.drachtioPort} (drachtio)`, err))
const shutdown = async () => {
  await engine.stop()
  process.exit(0)
}
process.once('SIGTERM', () => void shutdown())
process.once('SIGINT', () => void shutdown())

/**
 * SIGUSR2: one `engine-stats {json}` line on stdout with counts(), stats() and
 * process.memoryUsage() (after a full GC when node runs with --expose-gc), so a benchmark
 * can check that state and heap come back once the calls are over.
 */
process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const m = process.memoryUsage()
  const memory = { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, afterGc: gc !== undefined }
  process.stdout.write(`engine-stats ${JSON.stringify({ counts: engine.counts(), stats: engine.stats(), memory })}\n`)
})
