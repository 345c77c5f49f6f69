import type { Protocol } from '../transport/peer.js'

/** The engine's own SIP address, as it advertises it in Via and Contact. */
export class LocalAddress {
  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  get hostport(): string {
    return this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`
  }

  contact(protocol: Protocol): string {
    return `<sip:${this.hostport}${protocol === 'tcp' ? ';transport=tcp' : ''}>`
  }

  via(protocol: Protocol, branch: string): string {
    return `SIP/2.0/${protocol.toUpperCase()} ${this.hostport};branch=${branch};rport`
  }

  /** drachtio's `hostports` of the authenticate reply (§A.3) */
  hostports(): string {
    return `tcp/${this.hostport},udp/${this.hostport}` // drachtio-server's order
  }

  isSelf(host: string, port: number): boolean {
    const h = host.replace(/^\[|\]$/g, '')
    return port === this.port && (h === this.host || ((h === 'localhost' || h === '127.0.0.1') && this.host === '127.0.0.1'))
  }
}
