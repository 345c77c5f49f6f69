import { Resolver } from 'node:dns/promises'

/** A NAPTR record (RFC 3403 §4.1) as RFC 3263 reads it. */
export interface Naptr {
  order: number
  preference: number
  flags: string
  service: string
  regexp: string
  replacement: string
}

/** An SRV record (RFC 2782). */
export interface Srv {
  priority: number
  weight: number
  port: number
  name: string
}

/**
 * The four queries RFC 3263 needs. A name without records of the type (NODATA, NXDOMAIN)
 * gives an empty list; other failures (server unreachable, timeout) reject.
 */
export interface DnsLookup {
  naptr(name: string): Promise<Naptr[]>
  srv(name: string): Promise<Srv[]>
  a(name: string): Promise<string[]>
  aaaa(name: string): Promise<string[]>
}

/** "no such record" answers: an empty result, not an error */
const EMPTY = new Set(['ENODATA', 'ENOTFOUND'])

export interface NodeDnsLookupOptions {
  /** `ip[:port]` servers (Resolver.setServers); the system's when absent */
  servers?: string[]
  /** per-try timeout, default 2000 ms */
  timeoutMs?: number
  /** tries per server, default 2 */
  tries?: number
}

/** DnsLookup over node:dns's Resolver (c-ares), with its own servers when configured. */
export function nodeDnsLookup(opts: NodeDnsLookupOptions = {}): DnsLookup {
  const resolver = new Resolver({ timeout: opts.timeoutMs ?? 2000, tries: opts.tries ?? 2 })
  if (opts.servers?.length) resolver.setServers(opts.servers)
  const orEmpty = <T>(p: Promise<T[]>): Promise<T[]> =>
    p.catch((err: NodeJS.ErrnoException) => {
      if (err.code && EMPTY.has(err.code)) return []
      throw err
    })
  return {
    naptr: (name) => orEmpty(resolver.resolveNaptr(name)),
    srv: (name) => orEmpty(resolver.resolveSrv(name)),
    a: (name) => orEmpty(resolver.resolve4(name)),
    aaaa: (name) => orEmpty(resolver.resolve6(name)),
  }
}
