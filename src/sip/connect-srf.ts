import Srf from 'drachtio-srf'
import type { Logger } from 'pino'

export interface SrfConnection {
  srf: any
  readonly connected: boolean
  close(): void
}

/** Connect drachtio-srf to a drachtio server (ours or a real one) and wait for the first 'connect'. */
export function connectSrf(opts: { host: string; port: number; secret: string; logger: Logger; timeoutMs?: number }): Promise<SrfConnection> {
  const SrfCtor = Srf as any
  const srf = new SrfCtor()
  let connected = false
  const conn: SrfConnection = {
    srf,
    get connected() {
      return connected
    },
    close: () => srf.disconnect(),
  }
  srf.on('error', (err: Error) => {
    connected = false
    opts.logger.warn({ err: err.message }, 'drachtio connection error; srf reconnects')
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no drachtio server at ${opts.host}:${opts.port}`)), opts.timeoutMs ?? 10_000)
    srf.on('connect', (err: Error | null, hostport: string) => {
      if (err) {
        clearTimeout(timer)
        return reject(err)
      }
      connected = true
      opts.logger.info({ hostport }, 'connected to drachtio server')
      clearTimeout(timer)
      resolve(conn)
    })
    srf.connect({ host: opts.host, port: opts.port, secret: opts.secret })
  })
}
