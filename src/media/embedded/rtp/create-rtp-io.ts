import type { Logger } from 'pino'
import { LivecallError } from '../../../errors/index.js'
import { DgramRtpIo } from './dgram-rtp-io.js'
import { loadNativeBinding, NativeRtpIo } from './native-rtp-io.js'
import type { RtpIo, RtpIoChoice } from './rtp-io.js'

/**
 * `auto` (RTP_IO's default): native when the addon was built (npm install does it on
 * Linux), else dgram. Asking for `native` where it is missing is a configuration error.
 */
export function createRtpIo(choice: RtpIoChoice, logger: Logger): RtpIo {
  if (choice === 'dgram') return new DgramRtpIo(logger)
  const native = loadNativeBinding()
  if (native) return new NativeRtpIo(native, logger)
  if (choice === 'native') {
    throw new LivecallError('LIVECALL_ERR_CONFIG', 'RTP_IO=native, but the native RTP I/O is not built (npm install builds it on Linux)', 500)
  }
  logger.info('native RTP I/O not built: the media engine uses Node dgram sockets')
  return new DgramRtpIo(logger)
}
