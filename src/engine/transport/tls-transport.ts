import net from 'node:net'
import tls from 'node:tls'
import { TcpTransport, type TcpTransportOptions } from './tcp-transport.js'

/**
 * What SIP over TLS needs: our certificate and key (PEM), and how far a peer's certificate
 * is checked on the connections we open.
 */
export interface TlsCredentials {
  /** PEM certificate (chain) presented to peers, as server and as client */
  cert: Buffer
  /** PEM private key of `cert` */
  key: Buffer
  /**
   * Outbound certificate check. `none` (sofia's default, TPTLS_VERIFY_NONE, which
   * drachtio-server keeps unless DRACHTIO_TLS_VERIFY_CLIENT_CERT=1): any certificate is
   * accepted. `peer`: the chain must lead to `ca` (or the system CAs) and name the host.
   */
  verify: 'none' | 'peer'
  /** PEM CA bundle for `verify: 'peer'`; Node's built-in CAs when absent */
  ca?: Buffer
}

export interface TlsTransportOptions extends TcpTransportOptions {
  credentials: TlsCredentials
}

/**
 * SIP over TLS (RFC 3261 §26.2, §18): the TCP transport's connection pool, framing,
 * idle close and CRLF keep-alives, with node:tls sockets. A connection is counted and
 * carries SIP only once its handshake is done.
 */
export class TlsTransport extends TcpTransport {
  private readonly secureContext: tls.SecureContext

  constructor(opts: TlsTransportOptions) {
    super(opts)
    const c = opts.credentials
    // `ca` replaces Node's built-in roots for the outbound check when given
    this.secureContext = tls.createSecureContext({ cert: c.cert, key: c.key, ca: c.ca })
  }

  private get credentials(): TlsCredentials {
    return (this.opts as TlsTransportOptions).credentials
  }

  protected override createServer(onConnection: (socket: net.Socket) => void): net.Server {
    // sofia asks no client certificate unless told to verify peers (TPTLS_VERIFY_IN)
    const c = this.credentials
    const server = tls.createServer({ cert: c.cert, key: c.key, requestCert: false }, onConnection)
    server.on('tlsClientError', () => {
      /* a failed handshake closes that socket only */
    })
    return server
  }

  protected override dial(address: string, port: number, serverName?: string): Promise<net.Socket> {
    const verify = this.credentials.verify === 'peer'
    return new Promise<net.Socket>((resolve, reject) => {
      // tls.connect opens the TCP connection with these options (localAddress included)
      const options: tls.ConnectionOptions & net.TcpNetConnectOpts = {
        host: address,
        port,
        localAddress: this.opts.host,
        secureContext: this.secureContext,
        rejectUnauthorized: verify,
        // SNI carries names only (RFC 6066 §3); a literal address is checked as such
        servername: serverName && net.isIP(serverName) === 0 ? serverName : undefined,
        checkServerIdentity: (_host, cert) => tls.checkServerIdentity(serverName ?? address, cert),
      }
      const socket = tls.connect(options)
      socket.once('secureConnect', () => {
        socket.off('error', reject)
        resolve(socket)
      })
      socket.once('error', reject)
    })
  }
}
