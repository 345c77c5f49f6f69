import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { vi } from 'vitest'
import { getHeader, getHeaders, type SipRequest } from '../../../../src/engine/message/index.js'
import { ClientInviteTransaction, IctState } from '../../../../src/engine/transaction/client-invite-transaction.js'
import { context, FakeTransport, recordingTu, request, responseTo, TCP_PEER, UDP_PEER } from './fake-transport.js'

/** RFC 3261 §17.1.1 INVITE client transaction, with RFC 6026's Accepted state. */
describe('INVITE client transaction', () => {
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

  async function started(opts: { tcp?: boolean; routes?: string[] } = {}) {
    const invite = request('INVITE', { transport: opts.tcp ? 'TCP' : 'UDP', routes: opts.routes })
    const txn = new ClientInviteTransaction('k', invite, opts.tcp ? TCP_PEER : UDP_PEER, context(transport), tu)
    await txn.start()
    return { txn, invite }
  }

  const invites = () => transport.times((s) => s.msg.kind === 'request' && s.msg.method === 'INVITE')

  it('INVITE client retransmits on Timer A at 500, 1000, 2000 ms over UDP (doubling without cap) until Timer B', async () => {
    await started()
    await vi.advanceTimersByTimeAsync(31_999)
    // sent at 0, then after 500, 1000, 2000, 4000, 8000, 16000 ms
    expect(invites()).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500])
    expect(transport.sent.every((s) => s.buf.equals(transport.sent[0].buf))).toBe(true)
  })

  it('INVITE client times out on Timer B at 64·T1 in Calling and tells the TU once', async () => {
    const { txn } = await started()
    await vi.advanceTimersByTimeAsync(31_999)
    expect(tu.onTimeout).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(tu.onTimeout).toHaveBeenCalledTimes(1)
    expect(txn.state).toBe(IctState.Terminated)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(invites()).toHaveLength(7)
    expect(tu.onTimeout).toHaveBeenCalledTimes(1)
  })

  it('INVITE client over TCP sends once (no Timer A) and still times out on Timer B', async () => {
    await started({ tcp: true })
    await vi.advanceTimersByTimeAsync(32_000)
    expect(invites()).toEqual([0])
    expect(tu.onTimeout).toHaveBeenCalledTimes(1)
  })

  it('a provisional response stops Timer A and moves to Proceeding', async () => {
    const { txn, invite } = await started()
    await vi.advanceTimersByTimeAsync(600)
    const { res, raw } = responseTo(invite, 180, 'Ringing')
    txn.onResponse(res, raw)
    expect(txn.state).toBe(IctState.Proceeding)
    expect(tu.onResponse).toHaveBeenCalledWith(res, raw, false)
    await vi.advanceTimersByTimeAsync(20_000)
    expect(invites()).toEqual([0, 500])
  })

  it('INVITE client in Proceeding does not time out on Timer B: a call may ring longer than 32 s', async () => {
    const { txn, invite } = await started()
    const { res, raw } = responseTo(invite, 180, 'Ringing')
    txn.onResponse(res, raw)
    await vi.advanceTimersByTimeAsync(120_000)
    expect(tu.onTimeout).not.toHaveBeenCalled()
    expect(txn.state).toBe(IctState.Proceeding)
    const ok = responseTo(invite, 200, 'OK')
    txn.onResponse(ok.res, ok.raw)
    expect(tu.onResponse).toHaveBeenLastCalledWith(ok.res, ok.raw, false)
  })

  it('INVITE client in Proceeding gives up on Timer C (> 3 min, RFC 3261 §16.6) if no final response ever comes', async () => {
    const { txn, invite } = await started()
    const { res, raw } = responseTo(invite, 183, 'Session Progress')
    txn.onResponse(res, raw)
    await vi.advanceTimersByTimeAsync(180_000)
    expect(tu.onTimeout).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(tu.onTimeout).toHaveBeenCalledTimes(1)
    expect(txn.state).toBe(IctState.Terminated)
  })

  it('a 2xx moves to Accepted; retransmitted 2xx are passed up as retransmissions until Timer M', async () => {
    const { txn, invite } = await started()
    const ok = responseTo(invite, 200, 'OK')
    txn.onResponse(ok.res, ok.raw)
    expect(txn.state).toBe(IctState.Accepted)
    expect(tu.onResponse).toHaveBeenLastCalledWith(ok.res, ok.raw, false)
    // the transaction never ACKs a 2xx itself (RFC 3261 §13.2.2.4: the TU does)
    expect(transport.sent.filter((s) => s.msg.kind === 'request' && s.msg.method === 'ACK')).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(10_000)
    txn.onResponse(ok.res, ok.raw)
    expect(tu.onResponse).toHaveBeenLastCalledWith(ok.res, ok.raw, true)
    // a non-2xx final in Accepted is not passed up
    const busy = responseTo(invite, 486, 'Busy Here')
    txn.onResponse(busy.res, busy.raw)
    expect(tu.onResponse).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(22_000)
    expect(txn.state).toBe(IctState.Terminated)
    expect(tu.onTimeout).not.toHaveBeenCalled()
    expect(invites()).toEqual([0])
  })

  it('a non-2xx final response is ACKed by the transaction, retransmissions re-ACKed but absorbed, until Timer D (32 s) over UDP', async () => {
    const { txn, invite } = await started()
    const busy = responseTo(invite, 486, 'Busy Here')
    txn.onResponse(busy.res, busy.raw)
    expect(txn.state).toBe(IctState.Completed)
    expect(tu.onResponse).toHaveBeenCalledTimes(1)
    const acks = () => transport.sent.filter((s) => s.msg.kind === 'request' && s.msg.method === 'ACK')
    expect(acks()).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(4_000)
    txn.onResponse(busy.res, busy.raw)
    expect(acks()).toHaveLength(2)
    expect(acks()[1].buf.equals(acks()[0].buf)).toBe(true)
    expect(tu.onResponse).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(27_999)
    expect(txn.state).toBe(IctState.Completed)
    await vi.advanceTimersByTimeAsync(1)
    expect(txn.state).toBe(IctState.Terminated)
    expect(invites()).toEqual([0])
  })

  it('over TCP a non-2xx final response is ACKed and the transaction terminates at once (Timer D = 0)', async () => {
    const { txn, invite } = await started({ tcp: true })
    const terminated = vi.fn()
    txn.onTerminated(terminated)
    const busy = responseTo(invite, 603, 'Decline')
    txn.onResponse(busy.res, busy.raw)
    expect(txn.state).toBe(IctState.Terminated)
    expect(terminated).toHaveBeenCalledTimes(1)
    expect(transport.sent.map((s) => (s.msg.kind === 'request' ? s.msg.method : s.msg.status))).toEqual(['INVITE', 'ACK'])
    expect(tu.onResponse).toHaveBeenCalledTimes(1)
  })

  it('the ACK for a non-2xx has the INVITE branch, the To tag of the response, CSeq n ACK and the INVITE Route set', async () => {
    const routes = ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']
    const { txn, invite } = await started({ routes })
    const res = responseTo(invite, 404, 'Not Found', 'callee-tag')
    txn.onResponse(res.res, res.raw)
    const ack = transport.sent.at(-1)!.msg as SipRequest
    expect(ack.method).toBe('ACK')
    expect(ack.uri).toBe(invite.uri)
    expect(getHeaders(ack, 'via')).toEqual([getHeaders(invite, 'via')[0]])
    expect(getHeader(ack, 'via')).toContain('branch=z9hG4bK-invite-1')
    expect(getHeader(ack, 'from')).toBe(getHeader(invite, 'from'))
    expect(getHeader(ack, 'to')).toBe('<sip:bob@127.0.0.1>;tag=callee-tag')
    expect(getHeader(ack, 'call-id')).toBe('call-1@127.0.0.1')
    expect(getHeader(ack, 'cseq')).toBe('7 ACK')
    expect(getHeaders(ack, 'route')).toEqual(routes)
    expect(getHeader(ack, 'max-forwards')).toBe('70')
    expect(getHeader(ack, 'contact')).toBeUndefined()
    expect(ack.body.length).toBe(0)
    expect(transport.sent.at(-1)!.peer).toEqual(UDP_PEER)
  })

  it('an INVITE that cannot be sent reports a transport error and terminates, without timers', async () => {
    transport.failSends = true
    const invite = request('INVITE')
    const txn = new ClientInviteTransaction('k', invite, TCP_PEER, context(transport), tu)
    await txn.start()
    expect(tu.onTransportError).toHaveBeenCalledTimes(1)
    expect(txn.state).toBe(IctState.Terminated)
    await vi.advanceTimersByTimeAsync(64_000)
    expect(tu.onTimeout).not.toHaveBeenCalled()
  })

  it('destroy() stops every timer', async () => {
    const { txn } = await started()
    txn.destroy()
    await vi.advanceTimersByTimeAsync(64_000)
    expect(invites()).toEqual([0])
    expect(tu.onTimeout).not.toHaveBeenCalled()
  })
})
