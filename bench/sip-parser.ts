/**
 * Micro-benchmark of the SIP message layer: parse and serialize a typical INVITE with SDP,
 * and cut a TCP stream of them. Run: `npx tsx bench/sip-parser.ts`. Prints one JSON line per
 * case: { bench, bestMsgsPerSec, medianMsgsPerSec, bestUsPerMsg }.
 */
import { getHeader, parseMessage, parseVia, serializeMessage, SipStreamFramer } from '../src/engine/message/index.js'
import { SDP, inviteLines, sip } from '../test/support/sip-corpus/build.js'
import { createRequire } from 'node:module'
import os from 'node:os'

/** drachtio-srf's own lenient parser, as a same-machine reference point (it validates much less). */
const srfParser = createRequire(import.meta.url)('drachtio-srf/lib/sip-parser/parser.js') as {
  parseSipMessage(s: Buffer | string, lazy?: boolean): { headers: Record<string, unknown> } | undefined
}

const invite = sip(
  inviteLines([], [
    'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY',
    'Supported: replaces, timer, 100rel',
    'User-Agent: livecall-bench/1.0',
    'Record-Route: <sip:192.0.2.1;lr>',
    'P-Asserted-Identity: "Alice" <sip:+15551234567@example.com>',
  ]),
  SDP,
)
const parsed = parseMessage(invite)

/**
 * `fn` handles `perCall` messages per call. Runs `rounds` timed rounds and prints the best
 * and the median rate: on a shared, loaded machine the best round is the fairest figure.
 */
function measure(name: string, fn: () => void, perCall = 1, rounds = 7, roundMs = 300): void {
  for (let i = 0; i < 20_000 / perCall; i++) fn() // warm up
  const rates: number[] = []
  const batch = Math.max(1, Math.round(1000 / perCall))
  for (let r = 0; r < rounds; r++) {
    let n = 0
    const start = process.hrtime.bigint()
    const budget = BigInt(roundMs) * 1_000_000n
    let elapsed = 0n
    while (elapsed < budget) {
      for (let i = 0; i < batch; i++) fn()
      n += batch * perCall
      elapsed = process.hrtime.bigint() - start
    }
    rates.push(n / (Number(elapsed) / 1e9))
  }
  rates.sort((a, b) => a - b)
  const best = rates[rates.length - 1]
  const median = rates[Math.floor(rates.length / 2)]
  console.log(
    JSON.stringify({ bench: name, bestMsgsPerSec: Math.round(best), medianMsgsPerSec: Math.round(median), bestUsPerMsg: +(1e6 / best).toFixed(2) }),
  )
}

let sink = 0
console.log(JSON.stringify({ bench: 'message', bytes: invite.length, headers: parsed.headers.length, node: process.version, loadavg: os.loadavg()[0].toFixed(1), cpus: os.cpus().length }))
measure('parse INVITE+SDP', () => {
  sink += parseMessage(invite).headers.length
})
measure('reference: drachtio-srf lib/sip-parser parseSipMessage (lazy)', () => {
  sink += Object.keys(srfParser.parseSipMessage(invite, true)?.headers ?? {}).length
})
measure('parse + read Call-ID + top Via', () => {
  const m = parseMessage(invite)
  sink += (getHeader(m, 'call-id') ?? '').length + (parseVia(getHeader(m, 'via') ?? '').params.get('branch') ?? '').length
})
measure('serialize INVITE+SDP', () => {
  sink += serializeMessage(parsed).length
})
measure('parse -> serialize', () => {
  sink += serializeMessage(parseMessage(invite)).length
})
const stream = Buffer.concat(Array.from({ length: 100 }, () => invite))
const chunks: Buffer[] = []
for (let i = 0; i < stream.length; i += 1400) chunks.push(stream.subarray(i, i + 1400))
const framer = new SipStreamFramer()
measure(
  'frame TCP stream (1400-byte chunks)',
  () => {
    for (const c of chunks) sink += framer.push(c).length
  },
  100,
)
measure(
  'frame + parse TCP stream',
  () => {
    for (const c of chunks) for (const m of framer.push(c)) if (m !== 'ping') sink += parseMessage(m).headers.length
  },
  100,
)
if (sink === 42) console.log('')
