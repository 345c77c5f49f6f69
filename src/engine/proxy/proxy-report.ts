import type { Peer } from '../transport/peer.js'
import type { AppSession } from '../wire/app-session.js'
import { meta6 } from '../wire/wire-meta.js'

/**
 * What drachtio-server tells the app about a proxy operation (sip-proxy-controller.cpp,
 * `route_api_response` calls), which srf turns into the result of `proxyRequest()`
 * (request.js `proxy`: `finalStatus`, `finalResponse`, `responses`, `connected`):
 *
 * ```
 *  open ──final response of a branch──► open      OK|<meta6>|||continue + CRLF + the response as received
 *    │ 2xx forwarded / best response sent / cancelled search ended
 *    ▼
 *  done                                            OK|done
 * ```
 * Provisional responses are not reported. With `fullResponse` off only `OK|done` is sent,
 * at once. Errors before anything was sent are a `NOK|<reason>` instead.
 */
export enum ReportState {
  Open = 'open',
  Done = 'done',
}

export class ProxyReport {
  private stateValue = ReportState.Open

  constructor(
    private readonly session: AppSession,
    private readonly msgId: string,
    private readonly fullResponse: boolean,
  ) {}

  get state(): ReportState {
    return this.stateValue
  }

  /** A branch's final response, as received from `peer`. */
  final(raw: Buffer, peer: Peer): void {
    if (this.stateValue !== ReportState.Open || !this.fullResponse) return
    this.session.reply(this.msgId, `OK|${meta6('network', raw.length, peer)}|||continue`, raw)
  }

  done(): void {
    if (this.stateValue !== ReportState.Open) return
    this.stateValue = ReportState.Done
    this.session.reply(this.msgId, 'OK|done')
  }

  /** The proxy operation could not start: srf rejects `proxyRequest()` with `reason`. */
  fail(reason: string): void {
    if (this.stateValue !== ReportState.Open) return
    this.stateValue = ReportState.Done
    this.session.reply(this.msgId, `NOK|${reason}`)
  }
}
