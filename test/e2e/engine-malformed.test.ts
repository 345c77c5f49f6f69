import { createSocket } from 'node:dgram'
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { pcmuSdp, ServerUnderTest } from '../support/engine-harness.js'
import { useEngineHarness } from '../support/use-engine-harness.js'
import { MALFORMED, type MalformedSample } from '../support/sip-corpus/malformed.js'
import { describeSipp, runSipp } from '../support/sipp.js'

/** How long to listen for an answer to one sample (loopback: an answer takes well under 10 ms). */
const LISTEN_MS = 400

interface Observed {
  sample: MalformedSample
  /** everything the engine sent back */
  reply: string
  /** TCP only: the engine closed the connection */
  closedByEngine: boolean
}

/** Each sample from its own UDP socket, so every answer is attributable. */
async function sendUdp(samples: MalformedSample[], port: number): Promise<Observed[]> {
  return Promise.all(
    samples.map(
      (sample) =>
        new Promise<Observed>((resolve, reject) => {
          const sock = createSocket('udp4')
          let reply = ''
          sock.on('message', (m) => (reply += m.toString('latin1')))
          sock.on('error', reject)
          sock.bind(0, '127.0.0.1', () => {
            sock.send(sample.bytes, port, '127.0.0.1', (err) => {
              if (err) return reject(err)
              setTimeout(() => sock.close(() => resolve({ sample, reply, closedByEngine: false })), LISTEN_MS)
            })
          })
        }),
    ),
  )
}

/** Each sample as the first bytes of its own TCP connection. */
async function sendTcp(samples: MalformedSample[], port: number): Promise<Observed[]> {
  return Promise.all(
    samples.map(
      (sample) =>
        new Promise<Observed>((resolve) => {
          const conn = connect({ host: '127.0.0.1', port })
          let reply = ''
          let closedByEngine = false
          let done = false
          conn.on('data', (d) => (reply += d.toString('latin1')))
          conn.on('end', () => (closedByEngine = true))
          conn.on('close', () => (closedByEngine = true))
          conn.on('error', () => (closedByEngine = true))
          conn.on('connect', () => conn.write(sample.bytes))
          setTimeout(() => {
            if (done) return
            done = true
            const observed = { sample, reply, closedByEngine }
            conn.destroy()
            resolve(observed)
          }, LISTEN_MS)
        }),
    ),
  )
}

function statusLines(reply: string): string[] {
  return reply.match(/^SIP\/2\.0 \d{3}[^\r\n]*/gm) ?? []
}

/**
 * The embedded engine's own contract: exactly the answers its parser promises for each
 * sample (`respondable`, `onStream` in the corpus).
 */
function engineVerdicts(observed: Observed[], transport: 'udp' | 'tcp'): string[] {
  const wrong: string[] = []
  for (const { sample, reply, closedByEngine } of observed) {
    const lines = statusLines(reply)
    const expect400 = transport === 'udp' ? sample.respondable : sample.respondable && sample.onStream === 'message'
    if (expect400 && !(lines.length === 1 && lines[0].startsWith('SIP/2.0 400'))) {
      wrong.push(`${sample.name}: expected one 400, got ${JSON.stringify(lines)}`)
    }
    if (!sample.respondable && lines.length > 0) {
      wrong.push(`${sample.name}: expected no answer, got ${JSON.stringify(lines)}`)
    }
    if (transport === 'tcp' && sample.onStream === 'stream-error' && !closedByEngine) {
      wrong.push(`${sample.name}: expected the engine to close the unframeable stream`)
    }
  }
  return wrong
}

/**
 * What any server must do with broken input, whatever its parser accepts (drachtio-server's
 * sofia-sip is more lenient than the engine and answers some samples 100 + 503, others 400
 * or 505, see docs/engine.md): never a success, at most one final answer per sample.
 */
function sanityVerdicts(observed: Observed[]): string[] {
  const wrong: string[] = []
  for (const { sample, reply } of observed) {
    const lines = statusLines(reply)
    const finals = lines.filter((l) => !l.startsWith('SIP/2.0 1'))
    if (finals.some((l) => !/^SIP\/2\.0 [456]\d\d /.test(l))) wrong.push(`${sample.name}: answered ${JSON.stringify(lines)}`)
    // a retransmission of the same final answer (Timer G) is not a second answer
    if (new Set(finals).size > 1) wrong.push(`${sample.name}: more than one final answer ${JSON.stringify(lines)}`)
  }
  return wrong
}

/**
 * Broken SIP thrown at the engine's real sockets (RFC 3261 §8.2.2, RFC 4475 §3.1.2):
 * what can be answered gets a 400, the rest is dropped and counted, nothing crashes, and
 * a normal call still works afterwards.
 */
describe.each(['udp', 'tcp'] as const)('engine: malformed input over %s', (transport) => {
  const h = useEngineHarness()

  it('answers 400 where it can, drops the rest, and still takes a normal call', async () => {
    const engine = h().engine
    const before = engine?.stats()
    const send = transport === 'udp' ? sendUdp : sendTcp
    const observed = await send(MALFORMED, h().endpoints.sipPort)

    const wrong = h().server === ServerUnderTest.Embedded ? engineVerdicts(observed, transport) : sanityVerdicts(observed)
    expect(wrong).toEqual([])

    if (engine && before) {
      const after = engine.stats()
      expect(after.dropped).toBeGreaterThan(before.dropped)
      expect(after.badRequests).toBeGreaterThan(before.badRequests)
    }

    await h().connectSrf((srf) =>
      srf.invite((req, res) => {
        srf.createUAS(req, res, { localSdp: pcmuSdp(40030) }).catch(() => undefined)
      }),
    )
    const r = await runSipp({
      scenario: 'uac-invite-bye-expect-200.xml', target: h().sipTarget, transport, ports: h().ports, traceMessages: true,
    })
    expect(r.code, describeSipp(r)).toBe(0)
  })
})
