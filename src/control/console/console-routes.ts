import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'

/** The page's files (HTML, one ES module, CSS, its icon), served as they are: no framework, no build step. */
const ASSET_DIR = new URL('../../../console/', import.meta.url)

const ASSETS: Record<string, { file: string; type: string }> = {
  '/console': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/console/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
  '/console/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
}

/**
 * Only this origin's own files; no inline script or style, no plugins, not framed. The page
 * renders everything from the network with textContent, and this is the second wall.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/**
 * The live call console (docs/console.md) at /console: a static page that uses the public
 * control API only (the event stream and …/Calls/{sid}), with the API key the operator gives.
 * The page itself needs no key; it holds no data.
 */
export function consoleRoutes() {
  const bodies = Object.fromEntries(Object.entries(ASSETS).map(([path, a]) => [path, readFileSync(new URL(a.file, ASSET_DIR))]))
  return async (app: FastifyInstance): Promise<void> => {
    for (const [path, asset] of Object.entries(ASSETS)) {
      app.get(path, { schema: { hide: true } }, async (_req, reply) =>
        reply
          .header('content-type', asset.type)
          .header('content-security-policy', CONSOLE_CSP)
          .header('x-content-type-options', 'nosniff')
          .header('referrer-policy', 'no-referrer')
          .header('cache-control', 'no-cache')
          .send(bodies[path]),
      )
    }
  }
}
