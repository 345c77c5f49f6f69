import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { NistState, ServerNonInviteTransaction } from '../../../../src/engine/transaction/server-non-invite-transaction.js'
import { context, FakeTransport, request, responseTo, TCP_PEER, UDP_PEER } from './fake-transport.js'

/** RFC 3261 §17.2.2 non-INVITE server transaction. */
describe('non-INVITE server transaction', () => {
  let transport: FakeTransport

  beforeEach(() => {
    vi.useFakeTimers()
    transport = new FakeTransport()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  function make(tcp = false) {
    const req = request('OPTIONS', { transport: tcp ? 'TCP' : 'UDP' })
    const txn = new ServerNonInviteTransaction('k', req, tcp ? TCP_PEER : UDP_PEER, context(transport), 'txn-1')
    return { txn, res: (status: number) => responseTo(req, status).res }
  }

  const statuses = () => transport.sent.map((s) => (s.msg.kind === 'response' ? s.msg.status : s.msg.method))

  it('sends a final response once (no retransmission timer) and absorbs request retransmissions for Timer J (64·T1) over UDP', async () => {
    const { txn, res } = make()
    await txn.respond(res(200), 200)
    expect(txn.state).toBe(NistState.Completed)
    expect(txn.active).toBe(false)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(statuses()).toEqual([200])
    txn.onRetransmission()
    expect(statuses()).toEqual([200, 200])
    await vi.advanceTimersByTimeAsync(21_999)
    expect(txn.state).toBe(NistState.Completed)
    await vi.advanceTimersByTimeAsync(1)
    expect(txn.state).toBe(NistState.Terminated)
  })

  it('over TCP the final response terminates the transaction at once (Timer J = 0)', async () => {
    const { txn, res } = make(true)
    const terminated = vi.fn()
    txn.onTerminated(terminated)
    await txn.respond(res(200), 200)
    expect(txn.state).toBe(NistState.Terminated)
    expect(terminated).toHaveBeenCalledTimes(1)
  })

  it('a provisional response moves to Proceeding and is repeated for a retransmitted request', async () => {
    const { txn, res } = make()
    txn.onRetransmission() // Trying: nothing to repeat yet
    expect(statuses()).toEqual([])
    await txn.respond(res(100), 100)
    expect(txn.state).toBe(NistState.Proceeding)
    expect(txn.active).toBe(true)
    txn.onRetransmission()
    expect(statuses()).toEqual([100, 100])
    await txn.respond(res(202), 202)
    expect(statuses()).toEqual([100, 100, 202])
  })

  it('refuses a second final response', async () => {
    const { txn, res } = make()
    await txn.respond(res(200), 200)
    await expect(txn.respond(res(500), 500)).rejects.toThrow(/after final response/)
    expect(statuses()).toEqual([200])
  })

  it('a final response that cannot be sent still ends on Timer J instead of lingering forever', async () => {
    const { txn, res } = make()
    transport.failSends = true
    await expect(txn.respond(res(200), 200)).rejects.toThrow()
    await vi.advanceTimersByTimeAsync(32_000)
    expect(txn.state).toBe(NistState.Terminated)
  })
})
