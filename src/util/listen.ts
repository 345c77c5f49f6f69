import type { Server } from 'node:net'

/** `server.listen(port, host)` as a promise that rejects on EADDRINUSE and the like. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

/** `server.close()` as a promise; resolves at once for a server that is not listening. */
export function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return Promise.resolve()
  return new Promise((resolve) => server.close(() => resolve()))
}
