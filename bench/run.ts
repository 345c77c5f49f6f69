/**
 * `npm run bench`: the SIP load benchmark, the RTP one when present, then calls with a
 * webhook application (bench/calls-webhook.ts). Each runs in its
 * own process and prints its own JSON; this script only sequences them and fails when one
 * fails. Extra arguments go to the SIP benchmark.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..')

function runTsx(script: string, args: string[]): Promise<number> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', resolve(ROOT, script), ...args], {
      cwd: ROOT,
      stdio: 'inherit',
    })
    child.once('error', (err) => {
      console.error(`${script}: ${err.message}`)
      done(1)
    })
    child.once('exit', (code, signal) => done(code ?? (signal ? 1 : 0)))
  })
}

const failures: string[] = []
if ((await runTsx('bench/sip-b2bua.ts', process.argv.slice(2))) !== 0) failures.push('bench/sip-b2bua.ts')
if (existsSync(resolve(ROOT, 'bench/rtp-load.ts'))) {
  // the scenarios docs/benchmarks.md reports: C load generator, 100/500/1,000 bridged calls, 200 prompts
  const rtpArgs = ['--peers', 'c', '--calls', '100,500,1000', '--seconds', '8', '--prompts', '200']
  if ((await runTsx('bench/rtp-load.ts', rtpArgs)) !== 0) failures.push('bench/rtp-load.ts')
} else {
  console.error('bench/rtp-load.ts not present: RTP benchmark skipped')
}
// livecall as `npm start` runs it, a dial-to-SIPp webhook app, 50–300 cps, 500/1,000 held calls
if ((await runTsx('bench/calls-webhook.ts', [])) !== 0) failures.push('bench/calls-webhook.ts')
// 200 bridged calls with audio, 50 live-control updates/s for 60 s (bench/live-control.ts)
if ((await runTsx('bench/live-control.ts', [])) !== 0) failures.push('bench/live-control.ts')
if (failures.length) {
  console.error(`benchmarks failed: ${failures.join(', ')}`)
  process.exit(1)
}
