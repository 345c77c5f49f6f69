/**
 * A media endpoint that arrives after its call ended is closed, never left behind.
 *
 * MediaEngine.createEndpoint takes time (FreeSWITCH: an INVITE through drachtio-server and an
 * outbound event socket, tens of ms; embedded: binding an RTP port pair), and the call can end
 * meanwhile: the caller's CANCEL, the parent of a dial ending (a SIPp caller CANCELing on
 * answerOnBridge's 180 before the dialed leg's endpoint existed), a ring timeout. release()
 * ran with no endpoint to close; the endpoint (and its FreeSWITCH channel) stayed open.
 * The engine's timing is faked here: createEndpoint resolves when the test says so.
 */
import type Srf from 'drachtio-srf'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { Call } from '../../../src/call/call.js'
import { CallState } from '../../../src/call/call-state.js'
import { createInboundCall } from '../../../src/call/inbound-call.js'
import { createOutboundCall } from '../../../src/call/outbound-call.js'
import type { MediaEndpoint, MediaEngine } from '../../../src/media/types.js'
import type { InboundInvite } from '../../../src/sip/inbound-invite.js'

const logger = pino({ level: 'silent' })

class FakeEndpoint {
  readonly id = 'ep-1'
  readonly localSdp = 'v=0\r\n'
  closed = false
  closes = 0
  on(): this {
    return this
  }
  async close(): Promise<void> {
    this.closes++
    this.closed = true
  }
}

/** a MediaEngine whose createEndpoint resolves (or rejects) only when the test says so */
function slowEngine() {
  const ep = new FakeEndpoint()
  let resolve!: () => void
  let requested!: () => void
  const requestedP = new Promise<void>((r) => (requested = r))
  const engine = {
    createEndpoint: () => {
      requested()
      return new Promise<MediaEndpoint>((r) => (resolve = () => r(ep as unknown as MediaEndpoint)))
    },
    stats: () => ({ endpoints: 0, packetsReceived: 0, bytesReceived: 0, packetsSent: 0, bytesSent: 0, dropped: {} }),
    close: async () => undefined,
  } satisfies MediaEngine
  return { engine, ep, requested: requestedP, resolve: () => resolve() }
}

const tick = () => new Promise((r) => setTimeout(r, 0))

describe('a media endpoint created after its call ended', () => {
  it('outbound (a dial target): the call canceled while createEndpoint is pending closes the endpoint when it arrives, and no INVITE is sent', async () => {
    const { engine, ep, requested, resolve } = slowEngine()
    const srf = new Proxy({}, { get: () => { throw new Error('no INVITE may be sent for a call that ended') } }) as unknown as Srf
    const { call, answered } = createOutboundCall({ srf, media: engine }, { accountSid: 'AC1', uri: 'sip:bob@127.0.0.1', from: 'a', to: 'bob', logger, observe: () => undefined })
    await requested
    await call.hangup({ reason: 'parent ended', status: 487 })
    expect(call.state).toBe(CallState.Canceled)
    expect(ep.closes).toBe(0)
    resolve()
    expect(await answered).toBe(false)
    await tick()
    expect(ep.closes).toBe(1)
    expect(call.endpoint).toBeUndefined()
  })

  it('outbound: the parent of the dial ends first (CANCEL on the 180 of answerOnBridge) — the child\'s late endpoint is closed', async () => {
    const { engine, ep, requested, resolve } = slowEngine()
    const parent = new Call({ accountSid: 'AC1', direction: 'inbound', from: 'a', to: 'b', logger })
    parent.transition(CallState.Trying)
    parent.setPending({ abandon: () => undefined })
    const srf = {} as Srf
    const { call: child, answered } = createOutboundCall({ srf, media: engine }, { accountSid: 'AC1', uri: 'sip:bob@127.0.0.1', from: 'a', to: 'bob', parent, logger, observe: () => undefined })
    await requested
    parent.transition(CallState.Canceled, { status: 487, endReason: 'caller canceled' })
    await parent.release()
    expect(child.ended).toBe(true)
    resolve()
    expect(await answered).toBe(false)
    await tick()
    expect(ep.closes).toBe(1)
    expect(parent.children.size).toBe(0)
  })

  it('inbound: the caller\'s CANCEL while createEndpoint is pending closes the endpoint when it arrives', async () => {
    const { engine, ep, requested, resolve } = slowEngine()
    let cancel!: () => void
    const invite = {
      info: { callId: 'c1', requestUri: 'sip:b@x', from: { uri: 'sip:a@x', user: 'a', displayName: '' }, to: { uri: 'sip:b@x', user: 'b' }, headers: {}, sourceAddress: '127.0.0.1', sourcePort: 5060, localSipAddress: '127.0.0.1:5060', offerSdp: 'v=0\r\n' },
      onCancel: (cb: () => void) => (cancel = cb),
      reject: () => undefined,
      answer: () => Promise.reject(new Error('not answered')),
      ring: () => undefined,
    } as unknown as InboundInvite
    let seen: Call | undefined
    const created = createInboundCall(invite, engine, { accountSid: 'AC1', logger, observe: (c) => (seen = c) })
    await requested
    cancel()
    expect(seen?.state).toBe(CallState.Canceled)
    resolve()
    expect(await created).toBeUndefined()
    await tick()
    expect(ep.closes).toBe(1)
  })

  it('a call that is still up keeps its endpoint', async () => {
    const call = new Call({ accountSid: 'AC1', direction: 'inbound', from: 'a', to: 'b', logger })
    const ep = new FakeEndpoint()
    call.attachEndpoint(ep as unknown as MediaEndpoint)
    await tick()
    expect(ep.closes).toBe(0)
    expect(call.endpoint).toBe(ep)
    call.transition(CallState.Canceled)
    await call.release()
    expect(ep.closes).toBe(1)
  })
})
