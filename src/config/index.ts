export { loadConfig, CONFIG_VARIABLES } from './load-config.js'
export { loadConfigOrExit } from './load-config-or-exit.js'
export type { Config } from './schema.js'
