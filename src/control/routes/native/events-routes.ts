import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ServerResponse } from 'node:http'
import { Type } from '@sinclair/typebox'
import type { CallEvents, NumberedEvent } from '../../../app/events/call-events.js'
import { bearerAuth } from '../../plugins/bearer-auth.js'
import { AccountParams, ErrorBody } from './native-schemas.js'

export interface EventsRouteOptions {
  /** a `: heartbeat` comment this often, so proxies and clients see a live connection (default 15 s) */
  heartbeatMs?: number
}

const DEFAULT_HEARTBEAT_MS = 15_000
/** what EventSource waits before it reconnects (the `retry:` field) */
const RETRY_MS = 2000
/** a client that reads slower than events come: cut once this much is queued; it reconnects with Last-Event-ID */
const MAX_QUEUED_BYTES = 1024 * 1024

/**
 * The call event stream: `GET /v1/Accounts/{account_sid}/Events` as Server-Sent Events
 * (WHATWG HTML §9.2), one `data:` JSON object per event with an `id:`; every call state
 * change of the account and every applied live update (events/call-events.ts). A client
 * giving `Last-Event-ID` first gets the buffered events of this account after that id.
 * Authentication: `Authorization: Bearer API_KEY`, or `?api_key=API_KEY` on this route
 * only, because EventSource cannot set headers (docs/control-api.md, "Event stream").
 */
export function eventsRoutes(events: CallEvents, apiKey: string, opts: EventsRouteOptions = {}) {
  const heartbeatMs = opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS
  const bearer = bearerAuth(apiKey)
  return async (app: FastifyInstance): Promise<void> => {
    const open = new Set<ServerResponse>()
    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      const key = (req.query as Record<string, unknown> | undefined)?.api_key
      if (typeof key === 'string' && !req.headers.authorization) req.headers.authorization = `Bearer ${key}`
      await bearer(req, reply)
    })
    // a stream never ends by itself: close them all when the server closes, or close() would wait for them
    app.addHook('preClose', async () => {
      for (const res of open) res.end()
    })

    app.get<{ Params: { account_sid: string }; Querystring: { api_key?: string } }>('/v1/Accounts/:account_sid/Events', {
      schema: {
        tags: ['events'],
        summary: 'call event stream (Server-Sent Events): state changes and applied updates of this account',
        params: AccountParams,
        querystring: Type.Object({ api_key: Type.Optional(Type.String({ description: 'the API key, for clients that cannot set Authorization (EventSource)' })) }),
        response: { 401: ErrorBody },
      },
    }, (req, reply) => {
      const accountSid = req.params.account_sid
      reply.hijack()
      const res = reply.raw
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      })
      const send = (e: NumberedEvent): void => {
        if (res.writableLength > MAX_QUEUED_BYTES) {
          res.end()
          return
        }
        res.write(`id: ${e.id}\ndata: ${JSON.stringify(e.event)}\n\n`)
      }
      res.write(`retry: ${RETRY_MS}\n\n`)
      const lastId = req.headers['last-event-id']
      if (typeof lastId === 'string') for (const e of events.since(accountSid, lastId.trim())) send(e)
      // every event before this comment was a replay; from here on they are live
      res.write(': live\n\n')
      const unsubscribe = events.subscribe(accountSid, send)
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs)
      open.add(res)
      res.on('close', () => {
        clearInterval(heartbeat)
        unsubscribe()
        open.delete(res)
      })
    })
  }
}
