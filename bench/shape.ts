/**
 * Which shape a benchmark measures, from the same settings as the e2e suites
 * (test/support/test-shape.ts): embedded by default — livecall's own SIP engine and RTP
 * media engine on free loopback ports — or, with `LIVECALL_TEST_SHAPE=production`, livecall
 * against a real drachtio-server (`DRACHTIO_HOST/PORT/SECRET`, SIP at `SIP_HOST:SIP_PORT`) and
 * FreeSWITCH (`FREESWITCH_HOST/PORT/SECRET`, `FREESWITCH_LISTEN_PORT` or a free port).
 * The production shape fails before any call when either server does not answer.
 *
 * `--server-pids freeswitch=<pid>,drachtio=<pid>` (the benches' flag) adds those processes'
 * CPU to the figures: in the production shape most of the work is theirs.
 */
import { readFile } from 'node:fs/promises'
import { PortPicker } from '../test/support/ports.js'
import { assertReachable, readTestShape, TestShape } from '../test/support/test-shape.js'

export interface BenchTarget {
  shape: TestShape
  /** where SIPp and the bench's phones send INVITEs: the embedded engine, or drachtio-server */
  sipHost: string
  sipPort: number
  /** livecall's environment for this shape (ports, DRACHTIO_*, MEDIA_ENGINE, FREESWITCH_*) */
  env: Record<string, string>
  /** one line for the bench's JSON */
  description: string
}

export async function benchTarget(ports: PortPicker, rtp: { min: number; max: number }): Promise<BenchTarget> {
  const shape = readTestShape(process.env)
  if (shape.shape === TestShape.Production) {
    const { drachtio, sip, freeswitch } = shape
    await assertReachable('drachtio-server', drachtio.host, drachtio.port)
    await assertReachable('FreeSWITCH', freeswitch.host, freeswitch.port)
    const listenPort = freeswitch.listenPort ?? (await ports.pick())
    return {
      shape: shape.shape,
      sipHost: sip.host,
      sipPort: sip.port,
      env: {
        DRACHTIO_HOST: drachtio.host, DRACHTIO_PORT: String(drachtio.port), DRACHTIO_SECRET: drachtio.secret,
        MEDIA_ENGINE: 'freeswitch',
        FREESWITCH_HOST: freeswitch.host, FREESWITCH_PORT: String(freeswitch.port), FREESWITCH_SECRET: freeswitch.secret,
        FREESWITCH_LISTEN_PORT: String(listenPort),
      },
      description: `production: drachtio-server ${drachtio.host}:${drachtio.port} (SIP ${sip.host}:${sip.port}), FreeSWITCH ${freeswitch.host}:${freeswitch.port} through drachtio-fsmrf`,
    }
  }
  const [sipPort, drachtioPort] = await ports.pickMany(2)
  return {
    shape: shape.shape,
    sipHost: '127.0.0.1',
    sipPort: sipPort!,
    // DRACHTIO_HOST / MEDIA_ENGINE empty: the child must not inherit a production setting from the shell
    env: {
      SIP_HOST: '127.0.0.1', SIP_PORT: String(sipPort), DRACHTIO_HOST: '', DRACHTIO_PORT: String(drachtioPort), MEDIA_ENGINE: 'embedded',
      RTP_PORT_MIN: String(rtp.min), RTP_PORT_MAX: String(rtp.max),
    },
    description: 'embedded: livecall\'s own SIP engine and RTP media engine',
  }
}

/** `freeswitch=123,drachtio=456` → named pids */
export function parseServerPids(text: string): Array<{ name: string; pid: number }> {
  return text.split(',').filter(Boolean).map((item) => {
    const [name = '', pid = ''] = item.split('=')
    if (!name || !/^\d+$/.test(pid)) throw new Error(`--server-pids: "${item}" is not name=pid`)
    return { name, pid: Number(pid) }
  })
}

/** user+system clock ticks (1/100 s) a process has used */
export async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(f[11]) + Number(f[12])
}

/** CPU ticks of several processes at once (a process that is gone counts 0) */
export async function serverTicks(pids: Array<{ name: string; pid: number }>): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const { name, pid } of pids) out[name] = await cpuTicks(pid).catch(() => 0)
  return out
}

/** % of one core each server used between two serverTicks() readings */
export function serverCpuPct(t0: Record<string, number>, t1: Record<string, number>, wallS: number): Record<string, number> {
  const out: Record<string, number> = {}
  for (const name of Object.keys(t1)) out[name] = Math.round(((t1[name]! - (t0[name] ?? 0)) / 100 / wallS) * 100)
  return out
}

/** the shape's variables as they were set, for the reproducing command line (secrets left out) */
export function shapeEnvPrefix(): string {
  const names = ['LIVECALL_TEST_SHAPE', 'DRACHTIO_HOST', 'DRACHTIO_PORT', 'SIP_HOST', 'SIP_PORT', 'FREESWITCH_HOST', 'FREESWITCH_PORT', 'FREESWITCH_LISTEN_PORT']
  if (readTestShape(process.env).shape !== TestShape.Production) return ''
  return names.filter((n) => process.env[n]).map((n) => `${n}=${process.env[n]} `).join('')
}
