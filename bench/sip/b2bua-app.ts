/**
 * The benchmark's application: a plain drachtio-srf B2BUA, the way a user would write one.
 * Every INVITE goes to `--target` with the caller's SDP; a BYE on either leg hangs up the
 * other. `{user}` in the target is replaced by the user part of the incoming Request-URI,
 * so a caller can pick the callee's port (`sip:service@127.0.0.1:{user}`). Prints `ready` once connected. On SIGUSR2 prints (and resets) its counters and
 * event-loop delay as `stats {json}`, so a benchmark can tell a slow app from a slow server.
 *
 *   tsx bench/sip/b2bua-app.ts --drachtio-port 9022 --secret cymru --target sip:service@127.0.0.1:5090
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import Srf from 'drachtio-srf'

const { values } = parseArgs({
  options: {
    'drachtio-host': { type: 'string', default: '127.0.0.1' },
    'drachtio-port': { type: 'string' },
    secret: { type: 'string', default: 'cymru' },
    target: { type: 'string' },
  },
})
if (!values['drachtio-port'] || !values.target) {
  console.error('usage: b2bua-app.ts --drachtio-port <port> --target <sip uri> [--secret s]')
  process.exit(2)
}
const target = values.target

const counters = { invites: 0, answered: 0, failed: 0 }
const srf = new Srf()
srf.on('error', (err: Error) => console.error(`srf error: ${err.message}`))
srf.invite((req, res) => {
  counters.invites++
  const user = /^sips?:([^@;]+)@/.exec(req.uri)?.[1] ?? ''
  srf.createB2BUA(req, res, target.replace('{user}', user), { localSdpB: req.body }).then(
    ({ uas, uac }) => {
      counters.answered++
      uas.on('destroy', () => uac.destroy())
      uac.on('destroy', () => uas.destroy())
    },
    () => counters.failed++,
  )
})
srf.on('connect', (err: Error | null) => {
  if (err) {
    console.error(`connect failed: ${err.message}`)
    process.exit(1)
  }
  console.log('ready')
})
void srf.connect({ host: values['drachtio-host'], port: Number(values['drachtio-port']), secret: values.secret })

const loopDelay = monitorEventLoopDelay({ resolution: 10 })
loopDelay.enable()
process.on('SIGUSR2', () => {
  const ms = (ns: number) => Math.round(ns / 1e5) / 10
  const report = { ...counters, loopDelayP99Ms: ms(loopDelay.percentile(99)), loopDelayMaxMs: ms(loopDelay.max) }
  console.log(`stats ${JSON.stringify(report)}`)
  loopDelay.reset()
  Object.assign(counters, { invites: 0, answered: 0, failed: 0 })
})

process.once('SIGTERM', () => {
  console.log(JSON.stringify(counters))
  srf.disconnect()
  process.exit(0)
})
