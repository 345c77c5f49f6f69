import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { LiveControl } from '../../../app/live-control/live-control.js'
import type { VerbDefinition, VerbStep } from '../../../app/verbs/verb.js'
import { LivecallError } from '../../../errors/index.js'
import { bandwidthAuth } from './bandwidth-auth.js'
import { bandwidthCallOf, callUri } from './bandwidth-call.js'
import { installBandwidthErrors } from './bandwidth-errors.js'
import { bandwidthEvents, rememberCallback, type BandwidthCallback } from './bandwidth-events.js'
import { parseBandwidthUpdate } from './parse-bandwidth-update.js'

interface UserP { userId: string }
interface CallP extends UserP { callId: string }

const SIP_URI = /^sips?:[^\s<>"]+$/i
const NUMBER = /^\+?[0-9]{1,32}$/
const bad = (message: string) => new LivecallError('LIVECALL_ERR_BAD_REQUEST', message)

/**
 * The Bandwidth v1 (Catapult) dialect (SPEC §6, seed 004), so node-bandwidth works
 * unchanged: POST /v1/users/{userId}/calls/{callId} (state, recording, transfer → 200,
 * or 201 + Location of the new call), GET of the same path (Bandwidth's call object) and
 * POST /v1/users/{userId}/calls (create → 201 + Location), behind HTTP Basic
 * apiToken:apiSecret = ACCOUNT_SID:API_KEY, errors in Bandwidth's shape. The userId is
 * livecall's ACCOUNT_SID; call ids are livecall's call sids.
 */
export function bandwidthRoutes(live: LiveControl, apiKey: string) {
  return async (app: FastifyInstance): Promise<void> => {
    installBandwidthErrors(app)
    app.addHook('onRequest', bandwidthAuth(apiKey))
    const schema = { tags: ['bandwidth'], hide: true }

    app.get<{ Params: CallP }>('/v1/users/:userId/calls/:callId', { schema }, async (req) => {
      const { userId, callId } = req.params
      return bandwidthCallOf(await live.find(userId, callId))
    })

    app.post<{ Params: CallP; Body: unknown }>('/v1/users/:userId/calls/:callId', { schema }, async (req, reply) => {
      const { userId, callId } = req.params
      const base = baseOf(req)
      const updates = parseBandwidthUpdate(req.body, (url) => bandwidthEvents({ url, base, userId }))
      let created: string | undefined
      for (const update of updates) {
        const outcome = await live.update(userId, callId, update)
        created ??= outcome.created?.sid
      }
      if (created) return reply.code(201).header('location', callUri(base, userId, created)).send()
      return reply.code(200).send()
    })

    app.post<{ Params: UserP; Body: unknown }>('/v1/users/:userId/calls', { schema }, async (req, reply) => {
      const { userId } = req.params
      const b = createBodyOf(req.body)
      const callback: BandwidthCallback = { url: b.callbackUrl, base: baseOf(req), userId, ...(b.tag !== undefined ? { tag: b.tag } : {}) }
      const sid = await live.create(userId, {
        from: b.from,
        to: SIP_URI.test(b.to) ? { type: 'sip', sipUri: b.to } : { type: 'phone', number: b.to },
        app: [IDLE],
        ...(b.callTimeout !== undefined ? { timeout: b.callTimeout } : {}),
        events: bandwidthEvents(callback),
      })
      const call = await live.find(userId, sid).catch(() => undefined)
      if (call) rememberCallback(call, callback)
      return reply.code(201).header('location', callUri(callback.base, userId, sid)).send()
    })
  }
}

function baseOf(req: FastifyRequest): string {
  return `${req.protocol}://${req.headers.host ?? 'localhost'}`
}

interface CreateBody { from: string; to: string; callbackUrl: string; callTimeout?: number; tag?: string }

/** POST …/calls: from, to (a number or sip: URI), callbackUrl (required: the call is driven by its events), callTimeout (s), tag. */
function createBodyOf(body: unknown): CreateBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('the body must be a JSON object')
  const b = body as Record<string, unknown>
  const unknown = Object.keys(b).filter((k) => !['from', 'to', 'callbackUrl', 'callTimeout', 'tag'].includes(k))
  if (unknown.length > 0) throw bad(`unknown propert${unknown.length > 1 ? 'ies' : 'y'}: ${unknown.join(', ')}`)
  if (typeof b.from !== 'string' || !(NUMBER.test(b.from) || SIP_URI.test(b.from) || b.from === 'private')) throw bad('from: a phone number or sip: URI is required')
  if (typeof b.to !== 'string' || !(NUMBER.test(b.to) || SIP_URI.test(b.to))) throw bad('to: a phone number or sip: URI is required')
  if (typeof b.callbackUrl !== 'string' || !/^https?:\/\/\S+$/i.test(b.callbackUrl)) throw bad('callbackUrl: an http(s) URL is required')
  if (b.callTimeout !== undefined && (typeof b.callTimeout !== 'number' || b.callTimeout <= 0 || b.callTimeout > 600)) throw bad('callTimeout must be 1–600 seconds')
  if (b.tag !== undefined && typeof b.tag !== 'string') throw bad('tag must be a string')
  return { from: b.from === 'private' ? 'anonymous' : b.from, to: b.to, callbackUrl: b.callbackUrl, callTimeout: b.callTimeout as number | undefined, tag: b.tag as string | undefined }
}

/**
 * A Bandwidth v1 call has no document: once answered it stays up (silent) until it is
 * controlled (updated, transferred, hung up) or the far end hangs up.
 */
const idle: VerbDefinition<undefined> = {
  name: 'idle',
  parse: () => undefined,
  run: (_ctx, _opts, signal) => new Promise((resolve) => {
    if (signal.aborted) resolve()
    else signal.addEventListener('abort', () => resolve(), { once: true })
  }),
}
const IDLE: VerbStep = { name: 'idle', opts: undefined, definition: idle as VerbDefinition<unknown> }
