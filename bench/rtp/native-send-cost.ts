/**
 * Cost of one native send (not a test): an N-API call alone (a slot that does not exist,
 * so no syscall) against the same call doing a real loopback sendto(), and the cost of
 * the per-datagram Uint8Array view the native layer hands to handlers.
 *
 *   npx tsx bench/rtp/native-send-cost.ts
 */
import { loadNativeBinding } from '../../src/media/embedded/rtp/native-rtp-io.js'

const n = loadNativeBinding()
if (!n) {
  console.error('native RTP I/O not built: run npm install (Linux)')
  process.exit(1)
}
const LOOPBACK = 0x7f000001
const arena = Buffer.allocUnsafeSlow(n.BATCH * n.SLOT_BYTES)
const io = n.open(arena, new Uint32Array(n.BATCH * n.META_FIELDS), () => {})
const from = n.bind(io, LOOPBACK, 0, 65536)
const to = n.bind(io, LOOPBACK, 45012, 4 * 1024 * 1024)
if (from < 0 || to < 0) throw new Error(`bind failed: ${from} ${to}`)
const packet = new Uint8Array(arena.buffer, 2048, 172)
const CALLS = 200_000

function perCallNs(fn: () => void, calls: number): number {
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < calls; i++) fn()
  return Number(process.hrtime.bigint() - t0) / calls
}

for (let round = 0; round < 3; round++) {
  const napiOnly = perCallNs(() => n.send(io, 0xffff, packet, LOOPBACK, 45012), CALLS)
  const withSend = perCallNs(() => n.send(io, from, packet, LOOPBACK, 45012), CALLS)
  let bytes = 0
  const view = perCallNs(() => {
    bytes += new Uint8Array(arena.buffer, 4096, 172).length
  }, CALLS * 5)
  console.log(`round ${round}: N-API call ${napiOnly.toFixed(0)} ns, with sendto ${withSend.toFixed(0)} ns, view ${view.toFixed(0)} ns (${bytes > 0})`)
}
n.destroy(io)
