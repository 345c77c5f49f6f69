import type { WireServer } from '../wire/wire-server.js'
import { wireTime } from '../wire/wire-meta.js'

/** Who wrote the SIP message a CDR carries: received from the network, or sent for an app. */
export type CdrSource = 'network' | 'application'
/**
 * `cdr:start` role (drachtio cdr.hpp): `uac`/`uas` for the app's own calls; in proxy mode
 * (src/engine/proxy/) `proxy-uac` for a branch's 2xx (source `network`) and `proxy-uas`
 * for the 2xx forwarded upstream (source `application`), as sip-proxy-controller.cpp writes them.
 */
export type CdrRole = 'uac' | 'uas' | 'proxy-uac' | 'proxy-uas'
/**
 * `cdr:stop` reason (drachtio cdr.hpp). The engine's own BYE (ACK timeout) is
 * `system-initiated-termination`.
 */
export type CdrStopReason = 'call-rejected' | 'call-canceled' | 'normal-release' | 'system-initiated-termination'

type CdrVerb = 'cdr:attempt' | 'cdr:start' | 'cdr:stop'

/**
 * Call detail records (drachtio-protocol.md §A.3.3), written the way drachtio-server's
 * `Cdr::postCdr` does: to one app among those that routed the verb (round-robin), as
 *
 * ```
 * <uuid>|cdr:attempt|<source>|<time>          + CRLF + the INVITE
 * <uuid>|cdr:start|<source>|<time>|<role>     + CRLF + the 2xx
 * <uuid>|cdr:stop|<source>|<time>|<reason>    + CRLF + the final response, CANCEL or BYE
 * ```
 * Nothing is written when no app routed the verb. A failing app socket never reaches the
 * caller (AppSession.send drops writes to closed sessions).
 */
export class CdrWriter {
  private readonly next = new Map<CdrVerb, number>()

  constructor(private readonly wire: WireServer) {}

  /** An INVITE that starts a call was received (`network`) or sent for an app (`application`). */
  attempt(source: CdrSource, invite: Buffer): void {
    this.post('cdr:attempt', `${source}|${wireTime()}`, invite)
  }

  /** The call was answered: `response` is the 2xx. */
  start(source: CdrSource, role: CdrRole, response: Buffer): void {
    this.post('cdr:start', `${source}|${wireTime()}|${role}`, response)
  }

  /** The call attempt failed or the call ended. */
  stop(source: CdrSource, reason: CdrStopReason, sip: Buffer): void {
    this.post('cdr:stop', `${source}|${wireTime()}|${reason}`, sip)
  }

  private post(verb: CdrVerb, rest: string, sip: Buffer): void {
    const sessions = this.wire.sessionsFor(verb)
    if (sessions.length === 0) return
    const i = (this.next.get(verb) ?? 0) % sessions.length
    this.next.set(verb, i + 1)
    sessions[i].send(`${verb}|${rest}`, sip)
  }
}
