import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ClientNonInviteTransaction, NictState } from '../../../../src/engine/transaction/client-non-invite-transaction.js'
import { context, FakeTransport, recordingTu, request, responseTo, TCP_PEER, UDP_PEER } from './fake-transport.js'

/** RFC 3261 §17.1.2 non-INVITE client transaction. */
describe('non-INVITE client transaction', () => {
  let transport: FakeTransport
  let tu: ReturnType<typeof recordingTu>

  beforeEach(() => {
    vi.useFakeTimers()
    transport = new FakeTransport()
    tu = recordingTu()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  async function started(tcp = false) {
    const req = request('BYE', { transport: tcp ? 'TCP' : 'UDP' })
    const txn = new ClientNonInviteTransaction('k', req, tcp ? TCP_PEER : UDP_PEER, context(transport), tu)
    await txn.start()
    return { txn, req }
  }

  it('retransmits on Timer E at 500, 1000, 2000, then every 4000 ms (capped at T2) over UDP', async () => {
    await started()
    await vi.advanceTimersByTimeAsync(31_999)
    expect(transport.times()).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500])
  })

  it('times out on Timer F at 64·T1, tells the TU once and stops retransmitting', async () => {
    const { txn } = await started()
    await vi.advanceTimersByTimeAsync(31_999)
    expect(tu.onTimeout).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(tu.onTimeout).toHaveBeenCalledTimes(1)
    expect(txn.state).toBe(NictState.Terminated)
    const count = transport.sent.length
    await vi.advanceTimersByTimeAsync(60_000)
    expect(transport.sent.length).toBe(count)
    expect(tu.onTimeout).toHaveBeenCalledTimes(1)
  })

  it('after a provisional response retransmits every T2 (4 s) and still times out on Timer F', async () => {
    const { txn, req } = await started()
    await vi.advanceTimersByTimeAsync(600) // sent at 0 and 500; next E armed for 1500
    const trying = responseTo(req, 100, 'Trying')
    txn.onResponse(trying.res, trying.raw)
    expect(txn.state).toBe(NictState.Proceeding)
    expect(tu.onResponse).toHaveBeenCalledWith(trying.res, trying.raw, false)
    await vi.advanceTimersByTimeAsync(31_399)
    expect(transport.times()).toEqual([0, 500, 1500, 5500, 9500, 13500, 17500, 21500, 25500, 29500])
    await vi.advanceTimersByTimeAsync(1)
    expect(tu.onTimeout).toHaveBeenCalledTimes(1)
  })

  it('over TCP sends once (no Timer E) and still times out on Timer F', async () => {
    await started(true)
    await vi.advanceTimersByTimeAsync(32_000)
    expect(transport.times()).toEqual([0])
    expect(tu.onTimeout).toHaveBeenCalledTimes(1)
  })

  it('a final response stops E and F; retransmissions of it are absorbed for Timer K (T4) over UDP', async () => {
    const { txn, req } = await started()
    const ok = responseTo(req, 200, 'OK')
    txn.onResponse(ok.res, ok.raw)
    expect(txn.state).toBe(NictState.Completed)
    expect(tu.onResponse).toHaveBeenCalledTimes(1)
    txn.onResponse(ok.res, ok.raw)
    expect(tu.onResponse).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(4_999)
    expect(txn.state).toBe(NictState.Completed)
    await vi.advanceTimersByTimeAsync(1)
    expect(txn.state).toBe(NictState.Terminated)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(transport.times()).toEqual([0])
    expect(tu.onTimeout).not.toHaveBeenCalled()
  })

  it('over TCP a final response terminates the transaction at once (Timer K = 0)', async () => {
    const { txn, req } = await started(true)
    const terminated = vi.fn()
    txn.onTerminated(terminated)
    const res = responseTo(req, 481, 'Call/Transaction Does Not Exist')
    txn.onResponse(res.res, res.raw)
    expect(txn.state).toBe(NictState.Terminated)
    expect(terminated).toHaveBeenCalledTimes(1)
    expect(tu.onResponse).toHaveBeenCalledTimes(1)
  })

  it('a request that cannot be sent reports a transport error and arms no timers', async () => {
    transport.failSends = true
    const txn = new ClientNonInviteTransaction('k', request('OPTIONS'), TCP_PEER, context(transport), tu)
    await txn.start()
    expect(tu.onTransportError).toHaveBeenCalledTimes(1)
    expect(txn.state).toBe(NictState.Terminated)
    await vi.advanceTimersByTimeAsync(64_000)
    expect(tu.onTimeout).not.toHaveBeenCalled()
  })
})
