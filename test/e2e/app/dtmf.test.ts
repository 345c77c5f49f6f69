import { describe, expect, it } from 'vitest'
import { parseTelephoneEvent } from '../../../src/media/embedded/dtmf/index.js'
import { useLivecall } from '../../support/livecall-harness.js'
import { createCaller, hookedSid } from '../../support/parties.js'
import type { RtpPeer } from '../../support/rtp-peer.js'

/** The RFC 4733 events a peer received: one per RTP timestamp, with its packets' payloads. */
function events(peer: RtpPeer) {
  const out: Array<{ ts: number; code: number; markers: boolean[]; ends: number[] }> = []
  for (const p of peer.received) {
    if (p.pt !== peer.telephoneEventPt) continue
    const ev = parseTelephoneEvent(p.payload)!
    let e = out.at(-1)
    if (!e || e.ts !== p.ts) out.push((e = { ts: p.ts, code: ev.event, markers: [], ends: [] }))
    e.markers.push(p.marker)
    if (ev.end) e.ends.push(ev.duration)
  }
  return out
}

describe('dtmf: digits sent to the caller as RFC 4733 telephone-events', () => {
  const h = useLivecall()

  async function callApp(doc: unknown[]) {
    h().scaffold.route('/app', doc)
    return createCaller(h(), { peer: { telephoneEventPt: 101 } })
  }

  it('the caller receives each digit as one event: its code, the marker on the first packet, three end packets of `duration`', async () => {
    const c = await callApp([{ verb: 'dtmf', dtmf: '19#*', duration: 200 }, { verb: 'hangup' }])
    try {
      const final = await c.call()
      expect(final).toMatch(/^SIP\/2\.0 200 OK/)
      await c.phone.answerBye(20_000)
      await c.peer.waitFor(() => events(c.peer).at(-1)?.ends.length === 3, 3000, 'the last end packet')
    } finally {
      await c.close()
    }
    const evs = events(c.peer)
    expect(evs.map((e) => e.code)).toEqual([1, 9, 11, 10])
    for (const e of evs) {
      expect(e.markers).toEqual(e.markers.map((_, i) => i === 0))
      expect(e.ends).toEqual([1600, 1600, 1600]) // 200 ms at 8 kHz, sent three times (RFC 4733 §2.5.1.4)
    }
    expect(c.peer.continuity()).toMatchObject({ seqJumps: [] })
  }, 30_000)

  it('the default duration is 500 ms; w pauses (the next event starts at least 500 ms after the previous ended)', async () => {
    const c = await callApp([{ dtmf: { dtmf: '2w3' } }, { verb: 'hangup' }])
    try {
      await c.call()
      await c.phone.answerBye(20_000)
      await c.peer.waitFor(() => events(c.peer).at(-1)?.ends.length === 3, 3000, 'the last end packet')
    } finally {
      await c.close()
    }
    const evs = events(c.peer)
    expect(evs.map((e) => e.code)).toEqual([2, 3])
    expect(evs[0].ends).toEqual([4000, 4000, 4000])
    expect(((evs[1].ts - evs[0].ts) >>> 0) >= (500 + 500) * 8).toBe(true)
  }, 30_000)

  it('a document with a character that is not a digit is refused: nothing is sent, the call is not answered', async () => {
    const c = await callApp([{ verb: 'dtmf', dtmf: '12x' }, { verb: 'hangup' }])
    try {
      const final = await c.call()
      expect(final).toMatch(/^SIP\/2\.0 [56]\d\d /)
    } finally {
      await c.close()
    }
    expect(c.peer.received).toHaveLength(0)
    const sid = hookedSid(h())
    await h().scaffold.waitFor((r) => r.path === '/status' && r.body?.call_sid === sid && /not a DTMF digit/.test(JSON.stringify(r.body)), 10_000, 'the failure reason')
  }, 30_000)
})
