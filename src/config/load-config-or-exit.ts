import { failStart } from '../util/fail-start.js'
import { loadConfig } from './load-config.js'
import type { Config } from './schema.js'

/** loadConfig for an entry point: a bad variable ends the process with one clear line. */
export function loadConfigOrExit(program: string, env: Record<string, string | undefined>): Config {
  try {
    return loadConfig(env)
  } catch (err) {
    return failStart(program, 'cannot start', err)
  }
}
