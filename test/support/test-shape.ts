/**
 * Which shape of livecall the e2e suites run against (SPEC §1), chosen explicitly and read
 * from the environment in this one place, once:
 *
 * * `embedded` (default, what `npm test` runs): the harness starts livecall in-process with
 *   its own SIP engine and RTP media engine on free loopback ports. Nothing else is read.
 * * `production` (`LIVECALL_TEST_SHAPE=production`): livecall still runs in-process, but
 *   against a real drachtio-server (`DRACHTIO_HOST`, `DRACHTIO_PORT`, `DRACHTIO_SECRET`)
 *   whose SIP side the far ends call (`SIP_HOST`, `SIP_PORT`), with `MEDIA_ENGINE=freeswitch`
 *   (`FREESWITCH_HOST`, `FREESWITCH_PORT`, `FREESWITCH_SECRET`; `FREESWITCH_LISTEN_PORT`, else
 *   a free port per livecall). Both must be reachable when a suite starts, or the suite fails
 *   with "… not reachable at …" — never skipped, never passed.
 *
 * bench/calls-webhook.ts and bench/live-control.ts read the same variables (readTestShape).
 * `itOnlyIn` (it-only-in.ts) marks the few tests that check what only one shape has.
 *
 * The DRACHTIO_* / FREESWITCH_* variables are ignored unless the shape is `production`, so a
 * DRACHTIO_HOST left in a shell does not turn `npm test` into something else.
 *
 * `SIP_TLS_PORT` names drachtio-server's TLS port (a `sips:` contact) for the TLS caller
 * suite, which fails without it in the production shape.
 *
 *   LIVECALL_TEST_SHAPE=production DRACHTIO_HOST=127.0.0.1 SIP_PORT=5060 SIP_TLS_PORT=5061 \
 *     FREESWITCH_HOST=127.0.0.1 npx vitest run test/e2e/app test/e2e/control test/e2e/dialects
 */
import { connect } from 'node:net'

export enum TestShape {
  Embedded = 'embedded',
  Production = 'production',
}

export interface ProductionTargets {
  /** drachtio-server's admin (wire protocol) side: where livecall connects */
  drachtio: { host: string; port: number; secret: string }
  /** drachtio-server's SIP side: where SIPp and the test phones send their INVITEs; `tlsPort` its sips: contact (SIP_TLS_PORT) */
  sip: { host: string; port: number; tlsPort?: number }
  /** FreeSWITCH's event socket; listenPort unset: a free port per livecall */
  freeswitch: { host: string; port: number; secret: string; listenPort?: number }
}

export type TestShapeSettings = { shape: TestShape.Embedded } | ({ shape: TestShape.Production } & ProductionTargets)

type Env = Record<string, string | undefined>

function port(env: Env, name: string, def: number): number {
  const text = env[name]
  if (text === undefined || text === '') return def
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`LIVECALL_TEST_SHAPE=production: ${name}=${JSON.stringify(text)} is not a port`)
  return n
}

/** Pure: the test shape an environment asks for. Throws on an unknown shape or a bad port. */
export function readTestShape(env: Env): TestShapeSettings {
  const shape = env.LIVECALL_TEST_SHAPE || TestShape.Embedded
  if (shape === TestShape.Embedded) return { shape }
  if (shape !== TestShape.Production) throw new Error(`LIVECALL_TEST_SHAPE=${JSON.stringify(shape)}: use embedded (default) or production`)
  if (!env.DRACHTIO_HOST) throw new Error('LIVECALL_TEST_SHAPE=production needs DRACHTIO_HOST (the drachtio-server livecall connects to)')
  return {
    shape,
    drachtio: { host: env.DRACHTIO_HOST, port: port(env, 'DRACHTIO_PORT', 9022), secret: env.DRACHTIO_SECRET || 'cymru' },
    sip: { host: env.SIP_HOST || env.DRACHTIO_HOST, port: port(env, 'SIP_PORT', 5060), tlsPort: env.SIP_TLS_PORT ? port(env, 'SIP_TLS_PORT', 5061) : undefined },
    freeswitch: {
      host: env.FREESWITCH_HOST || '127.0.0.1',
      port: port(env, 'FREESWITCH_PORT', 8021),
      secret: env.FREESWITCH_SECRET || 'ClueCon',
      listenPort: env.FREESWITCH_LISTEN_PORT ? port(env, 'FREESWITCH_LISTEN_PORT', 8085) : undefined,
    },
  }
}

/** The shape of this test run: read once, from process.env. */
export const testShape: TestShapeSettings = readTestShape(process.env)

export const inProductionShape = testShape.shape === TestShape.Production

/**
 * Fails (never skips) when a server of the production shape does not accept a TCP
 * connection, so a run without FreeSWITCH or drachtio-server is reported as not run.
 */
export async function assertReachable(what: string, host: string, portNo: number, timeoutMs = 3000): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host, port: portNo })
    const fail = (why: string): void => {
      socket.destroy()
      reject(new Error(`${what} not reachable at ${host}:${portNo} (${why}); LIVECALL_TEST_SHAPE=production: NOT run`))
    }
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.destroy()
      resolve()
    })
    socket.once('error', (err) => {
      clearTimeout(timer)
      fail(err.message)
    })
  })
}
