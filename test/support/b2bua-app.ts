import type Srf from 'drachtio-srf'
import { deferred, type EngineHarness } from './engine-harness.js'

export interface B2buaCall {
  uas: Srf.Dialog
  uac: Srf.Dialog
}

export interface B2buaApp {
  /** both legs up; rejects with createB2BUA's error */
  call: Promise<B2buaCall>
  /** resolves with createB2BUA's error (for tests that expect the call to fail) */
  failed: Promise<{ status?: number }>
}

/**
 * A plain drachtio-srf B2BUA, as an app would write it: every INVITE goes to `bUri` with
 * A's offer (`localSdpB: req.body`) plus `opts`, and a BYE on either leg tears down the other.
 */
export async function connectB2bua(h: EngineHarness, bUri: string, opts: Srf.CreateB2BUAOptions = {}): Promise<B2buaApp> {
  const call = deferred<B2buaCall>()
  const failed = deferred<{ status?: number }>()
  call.promise.catch(() => undefined) // a test awaiting only `failed` must not see an unhandled rejection
  await h.connectSrf((srf) =>
    srf.invite((req, res) => {
      srf.createB2BUA(req, res, bUri, { localSdpB: req.body, ...opts }).then(({ uas, uac }) => {
        uas.on('destroy', () => uac.destroy())
        uac.on('destroy', () => uas.destroy())
        call.resolve({ uas, uac })
      }, (err: { status?: number }) => {
        failed.resolve(err)
        call.reject(err)
      })
    }),
  )
  return { call: call.promise, failed: failed.promise }
}
