import { isIP } from 'node:net'
import type { Config } from './schema.js'

/**
 * SIP_DNS_SERVERS as node:dns `Resolver.setServers()` takes it: `ip`, `ip:port`, `[ipv6]`
 * or `[ipv6]:port`, comma-separated. Undefined when unset (the system's resolvers).
 */
export function dnsServers(config: Pick<Config, 'sipDnsServers'>): string[] | undefined {
  const text = config.sipDnsServers?.trim()
  if (!text) return undefined
  return text.split(',').map((s) => s.trim())
}

/** What is wrong with SIP_DNS_SERVERS, one line per bad entry. */
export function sipDnsProblems(config: Pick<Config, 'sipDnsServers'>): string[] {
  const problems: string[] = []
  for (const entry of dnsServers(config) ?? []) {
    if (!validServer(entry)) problems.push(`SIP_DNS_SERVERS entry ${JSON.stringify(entry)} is not ip, ip:port, [ipv6] or [ipv6]:port`)
  }
  return problems
}

function validServer(entry: string): boolean {
  if (isIP(entry) !== 0) return true
  const m = /^(?:\[([^\]]+)\]|([\d.]+))(?::(\d{1,5}))?$/.exec(entry)
  if (!m) return false
  const host = m[1] ?? m[2]
  const port = m[3] === undefined ? 53 : Number(m[3])
  return isIP(host) !== 0 && port >= 1 && port <= 65535
}
