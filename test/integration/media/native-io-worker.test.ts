import dgram from 'node:dgram'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'

/**
 * The native UDP layer lives on an event loop: a worker thread that ends with sockets
 * still open (no engine.close()) must neither crash the process nor leave its ports
 * bound (napi async cleanup hook in native/rtp_io.c).
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const n = require(workerData.addon)
const arena = Buffer.allocUnsafeSlow(n.BATCH * n.SLOT_BYTES)
const meta = new Uint32Array(n.BATCH * n.META_FIELDS)
const io = n.open(arena, meta, () => {})
const slots = [n.bind(io, 0x7f000001, workerData.port, 65536), n.bind(io, 0x7f000001, workerData.port + 1, 65536)]
n.armTimer(io, Number(process.hrtime.bigint()) / 1e6 + 60000)
parentPort.postMessage(slots)
`

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4')
    s.once('error', () => resolve(false))
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)))
  })
}

describe('native RTP I/O in a worker thread', () => {
  it('a worker that ends with sockets open and the timer armed releases its ports, and the process lives on', async () => {
    const addon = new URL('../../../build/Release/livecall_rtp_io.node', import.meta.url).pathname
    for (let i = 0; i < 3; i++) {
      const port = 44700 + 2 * i
      const worker = new Worker(WORKER, { eval: true, workerData: { addon, port } })
      const slots = await new Promise<number[]>((resolve, reject) => {
        worker.once('message', resolve)
        worker.once('error', reject)
      })
      expect(slots.every((s) => s >= 0)).toBe(true)
      expect(await bindable(port)).toBe(false) // held by the worker
      await worker.terminate()
      expect(await bindable(port)).toBe(true)
      expect(await bindable(port + 1)).toBe(true)
    }
  })
})
