import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EmbeddedMediaEngine } from '../../../src/media/index.js'
import { leg, since, sleep, testEngine, type Leg } from './media-fixture.js'

describe('mute and hold', () => {
  let engine: EmbeddedMediaEngine
  const legs: Leg[] = []
  let a: Leg
  let b: Leg
  beforeEach(async () => {
    engine = testEngine()
    a = await leg(engine, { payload: { kind: 'marker', octet: 0x11 } })
    b = await leg(engine, { payload: { kind: 'marker', octet: 0x22 } })
    legs.push(a, b)
    await a.ep.bridge(b.ep)
    a.peer.start()
    b.peer.start()
    await sleep(150)
  })
  afterEach(async () => {
    for (const l of legs.splice(0)) await l.peer.close()
    await engine.close()
  })
  const octets = (pkts: { payload: Buffer }[]) => new Set(pkts.map((p) => p.payload[0]))

  it("mute('receive'): the muted party is no longer heard — the other hears comfort silence, then the voice again", async () => {
    await a.ep.mute('receive')
    let mark = b.peer.received.length
    await sleep(200)
    const muted = since(b.peer, mark + 2)
    expect(muted.length).toBeGreaterThan(5)
    expect(octets(muted)).toEqual(new Set([0xff])) // µ-law silence, same cadence
    // A still hears B
    expect(octets(since(a.peer, a.peer.received.length - 5))).toEqual(new Set([0x22]))
    await a.ep.unmute('receive')
    mark = b.peer.received.length
    await sleep(150)
    expect(octets(since(b.peer, mark + 2))).toEqual(new Set([0x11]))
    expect(b.peer.continuity()).toMatchObject({ seqJumps: [], tsJumps: [] })
  })

  it("mute('send'): this endpoint's far end hears silence; the other direction is untouched", async () => {
    await a.ep.mute('send')
    const markA = a.peer.received.length
    const markB = b.peer.received.length
    await sleep(200)
    expect(octets(since(a.peer, markA + 2))).toEqual(new Set([0xff]))
    expect(octets(since(b.peer, markB + 2))).toEqual(new Set([0x11]))
    await a.ep.unmute('both')
  })

  it('remote a=sendonly (hold) stops what we send there; a=sendrecv restores it', async () => {
    const held = await a.ep.setRemoteSdp(a.peer.offer({ direction: 'sendonly' }))
    expect(held).toMatch(/^a=recvonly\r$/m)
    await sleep(60)
    const mark = a.peer.received.length
    await sleep(250)
    expect(a.peer.received.length).toBe(mark) // nothing sent to the held party
    // B still hears A (A's music or voice flows in)
    const markB = b.peer.received.length
    await sleep(100)
    expect(b.peer.received.length).toBeGreaterThan(markB + 2)
    const resumed = await a.ep.setRemoteSdp(a.peer.offer({ direction: 'sendrecv' }))
    expect(resumed).toMatch(/^a=sendrecv\r$/m)
    await sleep(150)
    expect(a.peer.received.length).toBeGreaterThan(mark + 3)
    expect(a.peer.continuity()).toMatchObject({ ssrcs: [a.peer.received[0].ssrc], seqJumps: [], tsJumps: [] })
  })

  it('remote a=inactive stops both ways', async () => {
    const answer = await a.ep.setRemoteSdp(a.peer.offer({ direction: 'inactive' }))
    expect(answer).toMatch(/^a=inactive\r$/m)
    await sleep(60)
    const markA = a.peer.received.length
    const markB = b.peer.received.length
    await sleep(200)
    expect(a.peer.received.length).toBe(markA)
    expect(b.peer.received.length).toBe(markB) // what A sends is not taken
    expect(a.ep.stats().dropped.notReceiving).toBeGreaterThan(5)
  })

  it('our own hold: setLocalDirection(sendonly) offers a=sendonly; a recvonly answer keeps us sending, their RTP is not expected', async () => {
    const offer = await a.ep.setLocalDirection('sendonly')
    expect(offer).toMatch(/^a=sendonly\r$/m)
    await a.ep.setRemoteSdp(a.peer.offer({ direction: 'recvonly' }))
    a.peer.stop() // a recvonly party sends nothing
    const mark = a.peer.received.length
    await sleep(150)
    expect(a.peer.received.length).toBeGreaterThan(mark + 3) // music-on-hold path stays open
  })
})
