import { isIP } from 'node:net'
import type { SipUri } from '../message/index.js'
import type { Peer, Protocol } from '../transport/peer.js'
import type { DnsLookup } from './dns-lookup.js'
import { naptrChoices } from './naptr.js'
import { defaultPort, uriProtocol } from './uri-transport.js'
import { orderSrv } from './srv.js'

/** A place to send a request to, in the order RFC 3263 gives. */
export type SipTarget = Peer

export interface SipTargetResolverOptions {
  lookup: DnsLookup
  /** the transports the engine has (TLS only when configured) */
  usable: ReadonlySet<Protocol>
  /** which address family our SIP socket can reach */
  family: 4 | 6
  /** for SRV ordering (RFC 2782); Math.random by default */
  random?: () => number
  /** hosts-file names, consulted before A/AAAA queries (see hosts-file.ts) */
  hosts?: ReadonlyMap<string, string[]>
}

/** SRV names per transport, RFC 3263 §4.1 / RFC 2782 (`_sips._tcp` is TLS). */
const SRV_PREFIX: Record<Protocol, string> = { udp: '_sip._udp', tcp: '_sip._tcp', tls: '_sips._tcp' }

/**
 * RFC 3263 §4 ("Client Usage") for a Request-URI (or Route) whose host is a name:
 *
 * 1. transport (§4.1): an explicit `transport` parameter, or TLS for `sips:`; else, when
 *    the URI has a port, UDP (`sip:`) or TLS (`sips:`); else NAPTR records (services
 *    SIPS+D2T, SIP+D2T, SIP+D2U, by order and preference) lead to SRV names; without
 *    NAPTR, SRV queries for each transport we have; without SRV, UDP (`sip:`) or TLS.
 * 2. port and address (§4.2): a URI with a port skips SRV: A/AAAA of the host, that port.
 *    Otherwise the SRV records (RFC 2782 priority/weight order), each target's A/AAAA;
 *    without SRV, A/AAAA of the host with the default port (5060, 5061 for TLS).
 *
 * Returns every target in the order to try them (§4.3 failover walks the list); empty
 * when the name leads nowhere. A TLS target carries the URI's host as the name its
 * certificate must show (RFC 5922 §4). Literal addresses never reach this.
 */
export class SipTargetResolver {
  constructor(private readonly opts: SipTargetResolverOptions) {}

  async resolve(uri: SipUri): Promise<SipTarget[]> {
    const host = uri.host.replace(/^\[|\]$/g, '').replace(/\.$/, '')
    const sips = uri.scheme === 'sips'
    // §4.1: only a `transport` parameter names the transport; a bare sips: still asks NAPTR (SIPS+D2T)
    const explicit = uri.params.has('transport') ? uriProtocol(uri) : undefined
    const targets = await this.targets(host, uri.port, explicit, sips)
    return targets.filter((t) => this.opts.usable.has(t.protocol)).map((t) => (t.protocol === 'tls' ? { ...t, serverName: host } : t))
  }

  private async targets(host: string, port: number | undefined, explicit: Protocol | undefined, sips: boolean): Promise<SipTarget[]> {
    if (port !== undefined) {
      // §4.1: a port without a transport means UDP (sip:) or TLS over TCP (sips:); §4.2: A/AAAA only
      return this.addresses(host, explicit ?? (sips ? 'tls' : 'udp'), port)
    }
    if (explicit) return this.viaSrv(host, [explicit])
    const naptr = naptrChoices(await this.opts.lookup.naptr(host), this.opts.usable, sips)
    if (naptr.length > 0) {
      const out: SipTarget[] = []
      for (const choice of naptr) out.push(...(await this.srvTargets(choice.srvName, choice.protocol)))
      return out
    }
    // §4.1: no NAPTR: SRV for each transport we support (sips: only TLS)
    const order: Protocol[] = sips ? ['tls'] : ['udp', 'tcp', 'tls']
    return this.viaSrv(host, order.filter((p) => this.opts.usable.has(p)), sips ? 'tls' : 'udp')
  }

  /** SRV for each transport in turn; without any, A/AAAA of the host on the default port. */
  private async viaSrv(host: string, protocols: Protocol[], fallback: Protocol = protocols[0]): Promise<SipTarget[]> {
    const out: SipTarget[] = []
    for (const protocol of protocols) out.push(...(await this.srvTargets(`${SRV_PREFIX[protocol]}.${host}`, protocol)))
    if (out.length > 0) return out
    return this.addresses(host, fallback, defaultPort(fallback))
  }

  private async srvTargets(srvName: string, protocol: Protocol): Promise<SipTarget[]> {
    const out: SipTarget[] = []
    for (const srv of orderSrv(await this.opts.lookup.srv(srvName), this.opts.random)) {
      out.push(...(await this.addresses(srv.name.replace(/\.$/, ''), protocol, srv.port)))
    }
    return out
  }

  /** A (or AAAA, for an IPv6 socket) records of `host` (hosts file first); a literal is itself. */
  private async addresses(host: string, protocol: Protocol, port: number): Promise<SipTarget[]> {
    const family = isIP(host)
    if (family !== 0) return family === this.opts.family ? [{ protocol, address: host, port }] : []
    if (host === 'localhost') return [{ protocol, address: this.opts.family === 4 ? '127.0.0.1' : '::1', port }]
    const listed = this.opts.hosts?.get(host.toLowerCase())?.filter((a) => isIP(a) === this.opts.family)
    if (listed?.length) return listed.map((address) => ({ protocol, address, port }))
    const addresses = this.opts.family === 4 ? await this.opts.lookup.a(host) : await this.opts.lookup.aaaa(host)
    return addresses.map((address) => ({ protocol, address, port }))
  }
}
