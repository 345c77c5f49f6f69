/**
 * Every error livecall raises on purpose is a LivecallError with a stable code
 * (`LIVECALL_ERR_*`) and the HTTP status the control plane maps it to.
 * After undici's `UND_ERR_*` errors: callers switch on `code`, never on message text.
 */
export class LivecallError extends Error {
  readonly code: string
  readonly status: number

  constructor(code: string, message: string, status = 500, options?: { cause?: unknown }) {
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
