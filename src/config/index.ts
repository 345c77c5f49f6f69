export { loadConfig, CONFIG_VARIABLES } from './load-config.js'
export type { Config } from './schema.js'
