import { ERROR_STATUS, type ErrorCode } from './codes.js'

/**
 * Every error livecall raises on purpose is a LivecallError with a stable code
 * (`LIVECALL_ERR_*`, listed with their HTTP status in codes.ts) and the HTTP status the
 * control plane maps it to. After undici's `UND_ERR_*` errors: callers switch on `code`,
 * never on message text. `status` defaults to the code's status in the list.
 */
export class LivecallError extends Error {
  readonly code: ErrorCode
  readonly status: number

  constructor(code: ErrorCode, message: string, status: number = ERROR_STATUS[code], options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'LivecallError'
    this.code = code
    this.status = status
  }
}

/** Invalid configuration: the process refuses to start and says which variable is wrong. */
export class ConfigError extends LivecallError {
  constructor(message: string) {
    super('LIVECALL_ERR_CONFIG', message, 500)
    this.name = 'ConfigError'
  }
}

/** true when `err` carries one of livecall's codes (LivecallError, SipParseError, WireFrameError) */
export function isCoded(err: unknown): err is { code: ErrorCode; message: string } {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' &&
    (err as { code: string }).code in ERROR_STATUS
}
