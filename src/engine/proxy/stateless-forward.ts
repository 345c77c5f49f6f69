import { createHash } from 'node:crypto'
import { getHeader, getHeaders, getTag, parseVia, serializeMessage, type SipRequest, type SipResponse } from '../message/index.js'
import type { CdrWriter } from '../core/cdr.js'
import type { LocalAddress } from '../core/local-address.js'
import { resolveTarget } from '../core/resolve-target.js'
import type { Inbound, TransportLayer } from '../transport/transport-layer.js'
import type { Peer } from '../transport/peer.js'
import { stampReceived } from '../transport/via-received.js'
import { routeNamesUs } from './record-route.js'

export interface StatelessForwardDeps {
  transport: TransportLayer
  local: LocalAddress
  cdr: CdrWriter
}

/**
 * What a proxy that Record-Routed does with the rest of the dialog, statelessly as
 * drachtio-server does it (`processRequestWithRouteHeader`, and responses with a second
 * Via in `processMessageStatelessly`); RFC 3261 §16.11 with loose routing (§16.4, §16.12):
 *
 * * a request with a To tag whose top Route names us (`;lr`): that Route removed,
 *   Max-Forwards untouched (as drachtio), our Via added with a branch derived from the
 *   received one (the same for a retransmission, and for the CANCEL of a re-INVITE), sent
 *   to the next Route or else the Request-URI. ACK and BYE of the proxied call pass here.
 * * a response with our Via on top and another below it, for no transaction of ours:
 *   our Via removed, sent to the next Via's `received`/`rport` (RFC 3581), or sent-by.
 */
export class StatelessForwarder {
  constructor(private readonly deps: StatelessForwardDeps) {}

  /** Whether `req` is an in-dialog request routed through us (cheap checks first). */
  isRoutedToUs(req: SipRequest): boolean {
    const route = getHeader(req, 'route')
    if (route === undefined) return false
    if (getTag(getHeader(req, 'to') ?? '') === undefined) return false
    return routeNamesUs(route, this.deps.local, true)
  }

  forwardRequest(inbound: Inbound): void {
    const req = inbound.msg as SipRequest
    stampReceived(req, inbound.peer) // so that the responses can find their way back (RFC 3581, also on TCP)
    // Max-Forwards is left as it came, as drachtio-server's stateless forwarding (sofia's
    // nta_msg_tsend) leaves it: checked on a real server (RFC 3261 §16.11 would decrement it)
    const received = getHeader(req, 'via') ?? ''
    const firstRoute = req.headers.findIndex((h) => h.name === 'route')
    req.headers.splice(firstRoute, 1)
    const next = getHeader(req, 'route') ?? req.uri
    let dest: Peer
    try {
      dest = resolveTarget(next)
    } catch {
      return
    }
    const branch = 'z9hG4bK' + createHash('sha1').update(parseVia(received).params.get('branch') ?? received).digest('hex').slice(0, 20)
    req.headers.unshift({ name: 'via', value: this.deps.local.via(dest.protocol, branch) })
    const buf = serializeMessage(req)
    if (req.method === 'BYE') this.deps.cdr.stop('network', 'normal-release', inbound.raw)
    this.deps.transport.sendQuietly(buf, dest)
    if (req.method === 'BYE') this.deps.cdr.stop('application', 'normal-release', buf)
  }

  /** Forward a response that belongs to someone upstream; false when it is not one (our Via is not on top of another). */
  forwardResponse(res: SipResponse): boolean {
    const vias = getHeaders(res, 'via')
    if (vias.length < 2) return false
    try {
      const top = parseVia(vias[0])
      if (!this.deps.local.isSelf(top.host, top.port ?? 5060)) return false
      const next = parseVia(vias[1])
      const i = res.headers.findIndex((h) => h.name === 'via')
      const out: SipResponse = { ...res, headers: res.headers.filter((_, j) => j !== i) }
      const rport = next.params.get('rport')
      const dest: Peer = {
        protocol: next.transport === 'UDP' ? 'udp' : next.transport === 'TLS' ? 'tls' : 'tcp',
        address: next.params.get('received') ?? next.host.replace(/^\[|\]$/g, ''),
        port: rport ? Number(rport) : (next.port ?? 5060),
      }
      this.deps.transport.sendQuietly(serializeMessage(out), dest)
      return true
    } catch {
      return false
    }
  }
}
