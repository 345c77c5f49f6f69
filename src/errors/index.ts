export { LivecallError, ConfigError, isCoded } from './livecall-error.js'
export { ERROR_STATUS, statusOf, type ErrorCode } from './codes.js'
