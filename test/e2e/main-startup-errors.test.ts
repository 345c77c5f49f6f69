import { spawn } from 'node:child_process'
import dgram from 'node:dgram'
import { describe, expect, it } from 'vitest'
import { childEnv } from '../support/child-env.js'
import { PortPicker } from '../support/ports.js'

function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: childEnv(env), stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000)
    child.on('exit', (code) => {
      clearTimeout(kill)
      resolve({ code, stderr })
    })
  })
}

describe('livecall start-up errors are one clear line and exit code 1', () => {
  const ports = new PortPicker({ min: 14000, max: 14999 })

  it('an invalid variable is named', async () => {
    const r = await runMain({ SIP_PORT: 'abc' })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('livecall: cannot start: invalid configuration: SIP_PORT="abc" is not an integer')
  }, 20_000)

  it('a SIP port already in use is named', async () => {
    const [sipPort, drachtioPort, httpPort] = await ports.pickMany(3)
    const squatter = dgram.createSocket('udp4')
    await new Promise<void>((r) => squatter.bind(sipPort, '127.0.0.1', () => r()))
    try {
      const r = await runMain({ SIP_PORT: String(sipPort), DRACHTIO_PORT: String(drachtioPort), HTTP_PORT: String(httpPort) })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(`SIP engine cannot listen on 127.0.0.1:${sipPort}`)
      expect(r.stderr).toContain('EADDRINUSE')
    } finally {
      squatter.close()
    }
  }, 20_000)

  it('an unreachable external drachtio-server is reported', async () => {
    const [drachtioPort, httpPort] = await ports.pickMany(2)
    const r = await runMain({ DRACHTIO_HOST: '127.0.0.1', DRACHTIO_PORT: String(drachtioPort), HTTP_PORT: String(httpPort) })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('cannot connect to the drachtio server')
  }, 20_000)
})
