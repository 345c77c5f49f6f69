import type { Logger } from 'pino'
import type { Config } from '../config/index.js'
import type { MediaEndpoint, MediaEngine } from '../media/types.js'

export interface DemoAppDeps {
  srf: any
  media: MediaEngine
  config: Config
  logger: Logger
  greeting?: string
}

export interface RunningApp {
  activeCalls(): number
  stopAccepting(): void
  /** hang up every call in progress */
  endAll(): Promise<void>
  close(): Promise<void>
}

/**
 * SPEC.md §2, CALL_HOOK unset: the built-in application. It answers every inbound call
 * with the media engine's SDP, speaks a greeting and hangs up. While draining (SIGTERM)
 * new calls get 503.
 */
export function startDemoApp(deps: DemoAppDeps): RunningApp {
  const { srf, media, logger } = deps
  const greeting = deps.greeting ?? 'Hello from livecall. Goodbye.'
  const calls = new Map<string, { dialog?: any; endpoint: MediaEndpoint; abort: AbortController }>()
  let accepting = true

  srf.invite(async (req: any, res: any) => {
    if (!accepting) return res.send(503)
    let endpoint: MediaEndpoint
    try {
      endpoint = await media.createEndpoint({ remoteSdp: req.body })
    } catch (err) {
      logger.info({ err: (err as Error).message }, 'offer refused')
      return res.send(488)
    }
    const abort = new AbortController()
    const call = { endpoint, abort, dialog: undefined as any }
    const id = req.get('Call-ID') as string
    calls.set(id, call)
    const end = async () => {
      if (!calls.delete(id)) return
      abort.abort()
      await endpoint.close().catch(() => {})
    }
    req.on('cancel', () => void end())
    try {
      call.dialog = await srf.createUAS(req, res, { localSdp: endpoint.localSdp })
    } catch (err) {
      logger.info({ err: (err as Error).message }, 'call not answered')
      return end()
    }
    call.dialog.on('destroy', () => void end())
    call.dialog.on('modify', async (mreq: any, mres: any) => {
      const sdp = await endpoint.setRemoteSdp(mreq.body).catch(() => undefined)
      mres.send(sdp ? 200 : 488, sdp ? { body: sdp } : {})
    })
    try {
      await endpoint.play({ type: 'say', text: greeting }, abort.signal)
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'greeting failed')
    }
    if (calls.has(id)) {
      call.dialog.destroy()
      await end()
    }
  })

  return {
    activeCalls: () => calls.size,
    stopAccepting: () => {
      accepting = false
    },
    async endAll() {
      await Promise.all(
        [...calls.values()].map(async (c) => {
          c.abort.abort()
          c.dialog?.destroy()
          await c.endpoint.close().catch(() => {})
        }),
      )
      calls.clear()
    },
    close: () => media.close(),
  }
}
