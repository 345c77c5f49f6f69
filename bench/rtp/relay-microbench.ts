/**
 * The engine's own JavaScript cost per relayed packet, without the kernel: two bridged
 * endpoints, packets handed straight to A's 'message' listeners, B's socket send()
 * replaced by a counter. What the real bench measures on top of this is Node's dgram
 * (receive event, send) and the kernel.
 *
 *   npx tsx bench/rtp/relay-microbench.ts [--packets 2000000]
 */
import type dgram from 'node:dgram'
import { pino } from 'pino'
import { createEmbeddedMediaEngine } from '../../src/media/index.js'

const i = process.argv.indexOf('--packets')
const PACKETS = i > 0 ? Number(process.argv[i + 1]) : 2_000_000

function offer(port: number): string {
  return [
    'v=0', 'o=peer 1 1 IN IP4 127.0.0.1', 's=peer', 'c=IN IP4 127.0.0.1', 't=0 0',
    `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv',
  ].join('\r\n') + '\r\n'
}

const engine = createEmbeddedMediaEngine({ host: '127.0.0.1', portMin: 27000, portMax: 27999, logger: pino({ level: 'silent' }) })
const a = await engine.createEndpoint({ remoteSdp: offer(9) })
const b = await engine.createEndpoint({ remoteSdp: offer(11) })
await a.bridge(b)
const socketOf = (ep: unknown): dgram.Socket => (ep as { sockets: { rtp: dgram.Socket } }).sockets.rtp
let sent = 0
;(socketOf(b) as unknown as { send: () => void }).send = () => {
  sent++
}
const rx = socketOf(a)
const rinfo = { address: '127.0.0.1', family: 'IPv4', port: 9, size: 172 } as dgram.RemoteInfo
const pkt = Buffer.alloc(172, 0xff)
pkt[0] = 0x80
pkt[1] = 0
for (let round = 0; round < 3; round++) {
  const t0 = process.hrtime.bigint()
  for (let n = 0; n < PACKETS; n++) {
    const seq = n & 0xffff
    pkt[2] = seq >> 8
    pkt[3] = seq & 0xff
    pkt.writeUInt32BE((n * 160) >>> 0, 4)
    pkt.writeUInt32BE(0x1234, 8)
    rx.emit('message', pkt, { ...rinfo })
  }
  const ns = Number(process.hrtime.bigint() - t0) / PACKETS
  console.log(JSON.stringify({ round, nsPerPacket: +ns.toFixed(1), sent }))
}
await engine.close()
