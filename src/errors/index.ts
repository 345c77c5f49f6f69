export { LivecallError, ConfigError } from './livecall-error.js'
