import { pino, type Logger } from 'pino'

export type { Logger }

/** The one logger factory; every component gets a child with its own `component` field. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'livecall' } })
}
