/**
 * `npm run engine`: the embedded SIP engine alone, a drop-in for drachtio-server that any
 * drachtio-srf app can connect to. SIP on SIP_HOST:SIP_PORT (UDP and TCP), the wire
 * protocol on 127.0.0.1:DRACHTIO_PORT with DRACHTIO_SECRET.
 */
import { loadConfig } from '../config/index.js'
import { createLogger } from '../observability/logger.js'
import { createSipEngine } from './sip-engine.js'

const config = loadConfig(process.env)
const logger = createLogger(config.logLevel)
const engine = createSipEngine({
  sipHost: config.sipHost,
  sipPort: config.sipPort,
  drachtioPort: config.drachtioPort,
  drachtioSecret: config.drachtioSecret,
  logger,
})

await engine.start()
const shutdown = async () => {
  await engine.stop()
  process.exit(0)
}
process.once('SIGTERM', () => void shutdown())
process.once('SIGINT', () => void shutdown())
