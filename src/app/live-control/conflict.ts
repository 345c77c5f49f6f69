import { LivecallError } from '../../errors/index.js'

/** SPEC §5: 409 — the update is valid, but not in the call's current state. */
export function conflict(message: string): LivecallError {
  return new LivecallError('LIVECALL_ERR_CALL_STATE', message)
}
