import type { FastifyInstance } from 'fastify'
import type { LiveControl } from '../../../app/live-control/live-control.js'
import { accessKeyAuth } from './access-key-auth.js'
import { birdCallOf } from './bird-call.js'
import { installBirdErrors } from './bird-errors.js'
import { parseBirdUpdate } from './parse-bird-update.js'

interface CallP { workspaceId: string; channelId: string; callId: string }

const CALL_PATH = '/workspaces/:workspaceId/channels/:channelId/calls/:callId'

/**
 * The Bird dialect (SPEC §6, seed 002): `PATCH /workspaces/{workspaceId}/channels/{channelId}/calls/{callId}`
 * (status completed and/or a callFlow; 202 with Bird's call object) and GET of the same
 * path, behind `Authorization: AccessKey API_KEY`, errors in Bird's shape. The workspace
 * is livecall's ACCOUNT_SID (another workspace's call is a 404); livecall has no channels,
 * so any channelId is accepted and echoed in the call object.
 */
export function birdRoutes(live: LiveControl, apiKey: string) {
  return async (app: FastifyInstance): Promise<void> => {
    installBirdErrors(app)
    app.addHook('onRequest', accessKeyAuth(apiKey))
    const schema = { tags: ['bird'], hide: true }

    app.get<{ Params: CallP }>(CALL_PATH, { schema }, async (req) => {
      const call = await live.find(req.params.workspaceId, req.params.callId)
      return birdCallOf(call.describe(), req.params.channelId)
    })

    app.patch<{ Params: CallP; Body: unknown }>(CALL_PATH, { schema }, async (req, reply) => {
      const { workspaceId, channelId, callId } = req.params
      const call = await live.find(workspaceId, callId)
      const update = parseBirdUpdate(req.body, { callSid: call.sid, logger: call.logger })
      await live.update(workspaceId, callId, update)
      return reply.code(202).send(birdCallOf(call.describe(), channelId))
    })
  }
}
