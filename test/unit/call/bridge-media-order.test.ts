/**
 * A bridge's media changes happen in order. Bridging takes FreeSWITCH a moment (uuid_bridge,
 * then both channels change state); a release that arrived meanwhile (Restcomm's
 * MoveConnectedCallLeg right after the dial connected) looked, found nothing bridged yet,
 * and left both legs bridged: each leg's new prompt went to the other party's bridge.
 * The endpoints are fakes whose bridge() completes when the test says so.
 */
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { Bridge } from '../../../src/call/bridge.js'
import { Call } from '../../../src/call/call.js'
import { CallState } from '../../../src/call/call-state.js'
import type { MediaEndpoint } from '../../../src/media/types.js'

const logger = pino({ level: 'silent' })

function slowEndpoint(id: string, log: string[]) {
  let finishBridge!: () => void
  const ep = {
    id,
    closed: false,
    on: () => ep,
    bridge: (other: { id: string }) => {
      log.push(`bridge ${id} ${other.id} started`)
      return new Promise<void>((res) => (finishBridge = () => {
        log.push(`bridge ${id} ${other.id} done`)
        res()
      }))
    },
    unbridge: async () => {
      log.push(`unbridge ${id}`)
    },
  }
  return { ep: ep as unknown as MediaEndpoint, finishBridge: () => finishBridge() }
}

function call(sid: string, ep: MediaEndpoint): Call {
  const c = new Call({ sid, accountSid: 'AC1', direction: 'inbound', from: 'a', to: 'b', logger })
  c.transition(CallState.Trying)
  c.attachEndpoint(ep)
  return c
}

describe('a bridge released while its endpoints are still being bridged', () => {
  it('unbridges after the bridge completes, and release() resolves only then', async () => {
    const log: string[] = []
    const a = slowEndpoint('a', log)
    const b = slowEndpoint('b', log)
    const bridge = new Bridge(call('p', a.ep), call('c', b.ep))
    const connecting = bridge.connect()
    await new Promise((r) => setTimeout(r, 0))
    expect(log).toEqual(['bridge a b started'])
    let released = false
    const releasing = bridge.release().then(() => (released = true))
    await new Promise((r) => setTimeout(r, 10))
    expect(released).toBe(false)
    expect(log).toEqual(['bridge a b started'])
    a.finishBridge()
    await Promise.all([connecting, releasing])
    expect(log).toEqual(['bridge a b started', 'bridge a b done', 'unbridge a'])
    expect(bridge.current).toBe('released')
  })
})
