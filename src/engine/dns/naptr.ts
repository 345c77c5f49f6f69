import type { Protocol } from '../transport/peer.js'
import type { Naptr } from './dns-lookup.js'

/** RFC 3263 §4.1 / RFC 3261 §26: the NAPTR services SIP uses, and the transport each names. */
const SERVICES: Record<string, Protocol> = {
  'SIPS+D2T': 'tls',
  'SIP+D2T': 'tcp',
  'SIP+D2U': 'udp',
}

/** One NAPTR choice: an SRV name to look up for a transport. */
export interface NaptrChoice {
  protocol: Protocol
  srvName: string
}

/**
 * RFC 3263 §4.1 with RFC 3403/3404: of the NAPTR records, those with flag `S` (an SRV
 * lookup follows), a SIP service for a transport we can use, and a replacement, in
 * ascending order then preference. For a `sips:` URI only SIPS+D2T is acceptable
 * (RFC 3263 §4.1: "… MUST discard any service fields that identify a resolution
 * service whose value is not SIPS").
 */
export function naptrChoices(records: Naptr[], usable: ReadonlySet<Protocol>, sipsOnly: boolean): NaptrChoice[] {
  const out: Array<NaptrChoice & { order: number; preference: number }> = []
  for (const r of records) {
    const protocol = SERVICES[r.service.toUpperCase()]
    if (!protocol || !usable.has(protocol)) continue
    if (sipsOnly && protocol !== 'tls') continue
    if (r.flags.toUpperCase() !== 'S' || !r.replacement || r.replacement === '.') continue
    out.push({ protocol, srvName: r.replacement.replace(/\.$/, ''), order: r.order, preference: r.preference })
  }
  out.sort((x, y) => x.order - y.order || x.preference - y.preference)
  return out.map(({ protocol, srvName }) => ({ protocol, srvName }))
}
