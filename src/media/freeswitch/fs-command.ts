/**
 * Event-socket calls on one channel, awaited and checked: an `api` reply that does not
 * start with +OK, or an endpoint whose channel is gone, rejects with a coded error.
 */
import { LivecallError } from '../../errors/index.js'
import type { FsmrfEndpoint } from './fsmrf.js'

export interface FsCommands {
  /** `api <command> <args>` on the channel's event socket; resolves with the reply body */
  api(command: string, args: string): Promise<string>
  /** `api uuid_getvar <uuid> <name>`: the variable's value, undefined when unset (`_undef_`) */
  getVar(uuid: string, name: string): Promise<string | undefined>
  /** `sendmsg` execute of a dialplan application; resolves with CHANNEL_EXECUTE_COMPLETE's headers */
  execute(app: string, arg: string): Promise<{ header(name: string): string | undefined }>
}

export function fsCommands(ep: FsmrfEndpoint): FsCommands {
  return {
    async api(command, args) {
      const evt = await ep.api(command, args).catch((err: unknown) => {
        throw new LivecallError('LIVECALL_ERR_MEDIA_CLOSED', `FreeSWITCH channel ${ep.uuid} is gone (${command})`, undefined, { cause: err })
      })
      const body = evt.getBody() ?? ''
      if (!body.startsWith('+OK')) throw new LivecallError('LIVECALL_ERR_MEDIA_STATE', `FreeSWITCH ${command} failed: ${body.trim()}`)
      return body
    },
    async getVar(uuid, name) {
      const evt = await ep.api('uuid_getvar', `${uuid} ${name}`).catch((err: unknown) => {
        throw new LivecallError('LIVECALL_ERR_MEDIA_CLOSED', `FreeSWITCH channel ${ep.uuid} is gone (uuid_getvar)`, undefined, { cause: err })
      })
      const body = (evt.getBody() ?? '').trim()
      if (body.startsWith('-ERR')) throw new LivecallError('LIVECALL_ERR_MEDIA_STATE', `FreeSWITCH uuid_getvar failed: ${body}`)
      return body === '_undef_' || body === '' ? undefined : body
    },
    async execute(app, arg) {
      const evt = await ep.execute(app, arg).catch((err: unknown) => {
        throw new LivecallError('LIVECALL_ERR_MEDIA_CLOSED', `FreeSWITCH channel ${ep.uuid} is gone (${app})`, undefined, { cause: err })
      })
      return { header: (name) => evt.getHeader(name) }
    },
  }
}
