import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { LISTEN_PROTOCOL, WsListenServer } from '../../support/ws-listen-server.js'

let server: WsListenServer
afterEach(async () => {
  await server?.close()
})

function connect(url: string, protocol = LISTEN_PROTOCOL): Promise<WebSocket> {
  const ws = new WebSocket(url, protocol)
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

describe('WsListenServer (a real websocket server)', () => {
  it('records the metadata frame, binary frames and the close code, and sends audio back', async () => {
    server = await WsListenServer.start()
    const ws = await connect(server.url('/listen?x=1'))
    expect(ws.protocol).toBe(LISTEN_PROTOCOL)
    const back = new Promise<Buffer>((resolve) => ws.once('message', (d) => resolve(d as Buffer)))
    ws.send(JSON.stringify({ call_sid: 'c1', sampleRate: 8000, mixType: 'mono' }))
    const frame = Buffer.alloc(320)
    for (let i = 0; i < 160; i++) frame.writeInt16LE(i * 10, i * 2)
    for (let i = 0; i < 5; i++) ws.send(frame)
    const conn = await server.waitForFrames(5)
    expect(conn.metadata).toEqual({ call_sid: 'c1', sampleRate: 8000, mixType: 'mono' })
    expect(conn.protocol).toBe(LISTEN_PROTOCOL)
    expect(conn.path).toBe('/listen?x=1')
    expect(conn.bytes).toBe(1600)
    expect(conn.frames.every((f) => f.data.length === 320 && f.at > 0)).toBe(true)
    expect(Array.from(WsListenServer.pcm(conn).subarray(0, 3))).toEqual([0, 10, 20])

    server.send(Buffer.from([1, 2, 3, 4]))
    expect([...(await back)]).toEqual([1, 2, 3, 4])

    ws.close(1000)
    expect((await conn.closed).code).toBe(1000)
    expect(conn.closeCode).toBe(1000)
  })

  it('can refuse the subprotocol; waitForConnection times out with a reason', async () => {
    server = await WsListenServer.start({ refuseProtocol: true })
    await expect(connect(server.url())).rejects.toThrow()
    await expect(server.waitForConnection(0, 100)).rejects.toThrow(/connection 0/)
  })
})
