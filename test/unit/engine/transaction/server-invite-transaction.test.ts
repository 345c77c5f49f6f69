import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { SipResponse } from '../../../../src/engine/message/index.js'
import { IstState, ServerInviteTransaction } from '../../../../src/engine/transaction/server-invite-transaction.js'
import { context, FakeTransport, request, responseTo, TCP_PEER, UDP_PEER } from './fake-transport.js'

/** RFC 3261 §17.2.1 INVITE server transaction with RFC 6026's Accepted state. */
describe('INVITE server transaction', () => {
  let transport: FakeTransport

  beforeEach(() => {
    vi.useFakeTimers()
    transport = new FakeTransport()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  function make(tcp = false) {
    const invite = request('INVITE', { transport: tcp ? 'TCP' : 'UDP' })
    const txn = new ServerInviteTransaction('k', invite, tcp ? TCP_PEER : UDP_PEER, context(transport), 'txn-1')
    const res = (status: number, reason = 'X'): SipResponse => responseTo(invite, status, reason).res
    return { txn, invite, res }
  }

  const statuses = () => transport.sent.map((s) => (s.msg.kind === 'response' ? s.msg.status : s.msg.method))
  const timesOf = (status: number) => transport.times((s) => s.msg.kind === 'response' && s.msg.status === status)

  it('retransmits a non-2xx final response on Timer G at 500, 1000, 2000, 4000, 4000 ms over UDP until Timer H', async () => {
    const { txn, res } = make()
    await txn.respond(res(486, 'Busy Here'), 486)
    expect(txn.state).toBe(IstState.Completed)
    await vi.advanceTimersByTimeAsync(31_999)
    expect(timesOf(486)).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500])
    expect(txn.state).toBe(IstState.Completed)
    await vi.advanceTimersByTimeAsync(1)
    // Timer H: no ACK within 64·T1
    expect(txn.state).toBe(IstState.Terminated)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(timesOf(486)).toHaveLength(11)
  })

  it('the ACK for a non-2xx stops Timer G; further ACKs are absorbed until Timer I (T4) over UDP', async () => {
    const { txn, res } = make()
    await txn.respond(res(603, 'Decline'), 603)
    await vi.advanceTimersByTimeAsync(1_000)
    txn.onAck()
    expect(txn.state).toBe(IstState.Confirmed)
    txn.onAck() // a retransmitted ACK
    expect(txn.state).toBe(IstState.Confirmed)
    await vi.advanceTimersByTimeAsync(4_999)
    expect(txn.state).toBe(IstState.Confirmed)
    await vi.advanceTimersByTimeAsync(1)
    expect(txn.state).toBe(IstState.Terminated)
    expect(timesOf(603)).toEqual([0, 500])
    expect(txn.active).toBe(false)
  })

  it('over TCP a non-2xx is sent once (no Timer G), and the ACK terminates at once (Timer I = 0)', async () => {
    const { txn, res } = make(true)
    await txn.respond(res(404, 'Not Found'), 404)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(timesOf(404)).toEqual([0])
    txn.onAck()
    expect(txn.state).toBe(IstState.Terminated)
  })

  it('over TCP Timer H still ends a transaction whose non-2xx is never ACKed', async () => {
    const { txn, res } = make(true)
    await txn.respond(res(404, 'Not Found'), 404)
    await vi.advanceTimersByTimeAsync(32_000)
    expect(txn.state).toBe(IstState.Terminated)
  })

  it('retransmits a 2xx on Timer G (doubling to T2) until its ACK arrives (RFC 6026 Accepted)', async () => {
    const { txn, res } = make()
    await txn.respond(res(200, 'OK'), 200)
    expect(txn.state).toBe(IstState.Accepted)
    expect(txn.active).toBe(true)
    await vi.advanceTimersByTimeAsync(4_000)
    txn.onAckFor2xx()
    expect(txn.state).toBe(IstState.Terminated)
    await vi.advanceTimersByTimeAsync(30_000)
    expect(timesOf(200)).toEqual([0, 500, 1500, 3500])
  })

  it('an unACKed 2xx ends on Timer L (64·T1) and reports the ACK timeout once', async () => {
    const { txn, res } = make()
    const onAckTimeout = vi.fn()
    txn.events.onAckTimeout = onAckTimeout
    await txn.respond(res(200, 'OK'), 200)
    await vi.advanceTimersByTimeAsync(31_999)
    expect(onAckTimeout).not.toHaveBeenCalled()
    expect(timesOf(200)).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500])
    await vi.advanceTimersByTimeAsync(1)
    expect(onAckTimeout).toHaveBeenCalledTimes(1)
    expect(txn.state).toBe(IstState.Terminated)
  })

  it('over TCP a 2xx is not retransmitted, yet Timer L still reports a missing ACK', async () => {
    const { txn, res } = make(true)
    const onAckTimeout = vi.fn()
    txn.events.onAckTimeout = onAckTimeout
    await txn.respond(res(200, 'OK'), 200)
    await vi.advanceTimersByTimeAsync(32_000)
    expect(timesOf(200)).toEqual([0])
    expect(onAckTimeout).toHaveBeenCalledTimes(1)
  })

  it('a retransmitted INVITE gets the latest provisional again; in Accepted it is absorbed', async () => {
    const { txn, res } = make()
    txn.onRetransmission() // nothing sent yet: nothing to repeat
    expect(statuses()).toEqual([])
    await txn.respond(res(100, 'Trying'), 100)
    await txn.respond(res(180, 'Ringing'), 180)
    txn.onRetransmission()
    expect(statuses()).toEqual([100, 180, 180])
    await txn.respond(res(200, 'OK'), 200)
    txn.onRetransmission()
    expect(statuses()).toEqual([100, 180, 180, 200])
    expect(txn.state).toBe(IstState.Accepted)
  })

  it('a retransmitted INVITE in Completed gets the non-2xx final response again', async () => {
    const { txn, res } = make()
    await txn.respond(res(486, 'Busy Here'), 486)
    txn.onRetransmission()
    expect(statuses()).toEqual([486, 486])
  })

  it('refuses a second final response', async () => {
    const { txn, res } = make()
    await txn.respond(res(200, 'OK'), 200)
    await expect(txn.respond(res(500, 'Server Internal Error'), 500)).rejects.toThrow(/after final response/)
    expect(statuses()).toEqual([200])
  })

  it('a non-2xx that cannot be sent (TCP peer gone) still ends on Timer H instead of lingering forever', async () => {
    const { txn, res } = make(true)
    transport.failSends = true
    await expect(txn.respond(res(486, 'Busy Here'), 486)).rejects.toThrow()
    await vi.advanceTimersByTimeAsync(32_000)
    expect(txn.state).toBe(IstState.Terminated)
  })

  it('a 2xx that cannot be sent still ends on Timer L and reports the missing ACK', async () => {
    const { txn, res } = make(true)
    const onAckTimeout = vi.fn()
    txn.events.onAckTimeout = onAckTimeout
    transport.failSends = true
    await expect(txn.respond(res(200, 'OK'), 200)).rejects.toThrow()
    expect(txn.active).toBe(true)
    await vi.advanceTimersByTimeAsync(32_000)
    expect(txn.state).toBe(IstState.Terminated)
    expect(onAckTimeout).toHaveBeenCalledTimes(1)
  })

  it('a transaction destroyed while its final response is being sent arms no retransmission timer', async () => {
    const { txn, res } = make()
    const sending = txn.respond(res(200, 'OK'), 200)
    txn.destroy()
    await sending
    await vi.advanceTimersByTimeAsync(32_000)
    expect(timesOf(200)).toEqual([0])
  })
})
