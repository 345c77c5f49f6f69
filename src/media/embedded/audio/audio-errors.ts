import { LivecallError } from '../../../errors/index.js'

/**
 * Error codes raised while turning a PlaySource into PCM. Callers switch on `code`.
 *  - BAD_AUDIO (422): the content cannot be decoded, or the source's parameters are invalid
 *  - NOT_FOUND (404): a `file` source that does not exist
 *  - FETCH (502): a `url` source could not be fetched (network, timeout, HTTP status, size)
 *  - TTS (422 unknown voice / 500 synthesizer failure)
 *  - CLOSED (409): the loader was closed
 */
export const AUDIO_ERR = {
  BAD_AUDIO: 'LIVECALL_ERR_MEDIA_BAD_AUDIO',
  NOT_FOUND: 'LIVECALL_ERR_MEDIA_NOT_FOUND',
  FETCH: 'LIVECALL_ERR_MEDIA_FETCH',
  TTS: 'LIVECALL_ERR_MEDIA_TTS',
  CLOSED: 'LIVECALL_ERR_MEDIA_CLOSED',
} as const

export function badAudio(message: string, cause?: unknown): LivecallError {
  return new LivecallError(AUDIO_ERR.BAD_AUDIO, message, 422, { cause })
}

export function fetchFailed(message: string, cause?: unknown): LivecallError {
  return new LivecallError(AUDIO_ERR.FETCH, message, 502, { cause })
}

export function notFound(message: string, cause?: unknown): LivecallError {
  return new LivecallError(AUDIO_ERR.NOT_FOUND, message, 404, { cause })
}

export function ttsFailed(message: string, status: 422 | 500, cause?: unknown): LivecallError {
  return new LivecallError(AUDIO_ERR.TTS, message, status, { cause })
}

export function loaderClosed(): LivecallError {
  return new LivecallError(AUDIO_ERR.CLOSED, 'audio loader is closed', 409)
}
