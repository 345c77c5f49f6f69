import type { Protocol } from '../transport/peer.js'

/** The engine's own SIP address, as it advertises it in Via and Contact. */
export class LocalAddress {
  constructor(
    readonly host: string,
    readonly port: number,
    /** the SIP over TLS port, when TLS is on */
    readonly tlsPort?: number,
  ) {}

  get hostport(): string {
    return this.hostportFor('udp')
  }

  /** host:port of the listener for `protocol` (TLS has its own port) */
  hostportFor(protocol: Protocol): string {
    const port = protocol === 'tls' && this.tlsPort ? this.tlsPort : this.port
    return this.host.includes(':') ? `[${this.host}]:${port}` : `${this.host}:${port}`
  }

  /**
   * Our Contact for `protocol`. Over TLS it is `sips:` with `transport=tls`, as
   * drachtio-server writes it for a transport configured as `sips:*;transport=tls`
   * (sip-transports.cpp getContactUri: the configured scheme, `;transport=` unless udp).
   */
  contact(protocol: Protocol): string {
    if (protocol === 'tls') return `<sips:${this.hostportFor('tls')};transport=tls>`
    return `<sip:${this.hostport}${protocol === 'tcp' ? ';transport=tcp' : ''}>`
  }

  via(protocol: Protocol, branch: string): string {
    return `SIP/2.0/${protocol.toUpperCase()} ${this.hostportFor(protocol)};branch=${branch};rport`
  }

  /** drachtio's `hostports` of the authenticate reply (§A.3) */
  hostports(): string {
    const tls = this.tlsPort ? `,tls/${this.hostportFor('tls')}` : ''
    return `tcp/${this.hostport},udp/${this.hostport}${tls}` // drachtio-server's order
  }

  isSelf(host: string, port: number): boolean {
    const h = host.replace(/^\[|\]$/g, '')
    const ours = port === this.port || (this.tlsPort !== undefined && port === this.tlsPort)
    return ours && (h === this.host || ((h === 'localhost' || h === '127.0.0.1') && this.host === '127.0.0.1'))
  }
}
