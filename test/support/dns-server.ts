import dgram from 'node:dgram'
import * as dnsPacket from 'dns-packet'

/** What the test server knows about one name. */
export interface ZoneEntry {
  naptr?: Array<{ order: number; preference: number; flags: string; services: string; replacement: string }>
  srv?: Array<{ priority: number; weight: number; port: number; target: string }>
  a?: string[]
  aaaa?: string[]
}

/**
 * An authoritative-only DNS server for tests on 127.0.0.1 (UDP), encoding with the
 * `dns-packet` library: names in `zone` get their records (TTL 0, so nothing is cached
 * across tests), a known name without the asked type gets an empty NOERROR answer
 * (NODATA), an unknown name NXDOMAIN. Every question is logged (`queries`).
 */
export class TestDnsServer {
  private socket?: dgram.Socket
  readonly zone = new Map<string, ZoneEntry>()
  /** `TYPE name` of every question received, in order */
  readonly queries: string[] = []
  port = 0

  /** Add (or replace) the records of `name`. */
  set(name: string, entry: ZoneEntry): this {
    this.zone.set(name.toLowerCase(), entry)
    return this
  }

  /** `127.0.0.1:port`, as SIP_DNS_SERVERS / Resolver.setServers take it */
  get address(): string {
    return `127.0.0.1:${this.port}`
  }

  /** Listen on 127.0.0.1:port (0: any free port); a second call while listening does nothing. */
  async start(port = 0): Promise<void> {
    if (this.socket) return
    const socket = dgram.createSocket('udp4')
    this.socket = socket
    socket.on('message', (buf, rinfo) => {
      let query: dnsPacket.Packet
      try {
        query = dnsPacket.decode(buf)
      } catch {
        return
      }
      socket.send(this.answer(query), rinfo.port, rinfo.address)
    })
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(port, '127.0.0.1', () => resolve())
    })
    this.port = socket.address().port
  }

  async stop(): Promise<void> {
    const s = this.socket
    this.socket = undefined
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()))
  }

  private answer(query: dnsPacket.Packet): Buffer {
    const question = query.questions?.[0]
    const base = { id: query.id, type: 'response' as const, flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED, questions: query.questions }
    if (!question) return dnsPacket.encode({ ...base, rcode: 'FORMERR' } as dnsPacket.Packet)
    const name = question.name.toLowerCase().replace(/\.$/, '')
    this.queries.push(`${question.type} ${name}`)
    const entry = this.zone.get(name)
    if (!entry) return dnsPacket.encode({ ...base, rcode: 'NXDOMAIN' } as dnsPacket.Packet)
    const answers: dnsPacket.Answer[] = []
    if (question.type === 'NAPTR') {
      for (const n of entry.naptr ?? []) answers.push({ type: 'NAPTR', name: question.name, ttl: 0, data: { ...n, regexp: '' } })
    } else if (question.type === 'SRV') {
      for (const s of entry.srv ?? []) answers.push({ type: 'SRV', name: question.name, ttl: 0, data: s })
    } else if (question.type === 'A') {
      for (const a of entry.a ?? []) answers.push({ type: 'A', name: question.name, ttl: 0, data: a })
    } else if (question.type === 'AAAA') {
      for (const a of entry.aaaa ?? []) answers.push({ type: 'AAAA', name: question.name, ttl: 0, data: a })
    }
    return dnsPacket.encode({ ...base, answers })
  }
}
