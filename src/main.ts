/**
 * The process: load config, start livecall (src/livecall.ts), listen, and shut down
 * cleanly on SIGTERM/SIGINT. No logic here.
 */
import { loadConfigOrExit } from './config/index.js'
import { startLivecall } from './livecall.js'
import { createLogger } from './observability/logger.js'
import { failStart } from './util/fail-start.js'

const fail = (message: string, err?: unknown): never => failStart('livecall', message, err)
const config = loadConfigOrExit('livecall', process.env)
const logger = createLogger(config.logLevel)

const livecall = await startLivecall(config, logger).catch((err: Error) => fail(err.message, err.cause))
await livecall.http.listen({ host: config.httpHost, port: config.httpPort }).catch((err) => fail(`HTTP cannot listen on ${config.httpHost}:${config.httpPort}`, err))

async function shutdown(signal: string): Promise<void> {
  logger.info({ signal }, 'shutting down: refusing new calls, ending calls in progress')
  await livecall.stop()
  logger.info('bye')
  process.exit(0)
}
process.once('SIGTERM', () => void shutdown('SIGTERM'))
process.once('SIGINT', () => void shutdown('SIGINT'))
