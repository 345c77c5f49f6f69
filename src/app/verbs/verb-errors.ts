import { LivecallError } from '../../errors/index.js'

/** A document that cannot run: refused before any of its verbs runs. */
export function appInvalid(message: string): LivecallError {
  return new LivecallError('LIVECALL_ERR_APP_INVALID', message)
}

export function verbUnsupported(message: string): LivecallError {
  return new LivecallError('LIVECALL_ERR_VERB_UNSUPPORTED', message)
}
