import { describe, expect, it } from 'vitest'
import { Dialog, DialogState } from '../../../../src/engine/dialog/dialog.js'
import type { AppSession } from '../../../../src/engine/wire/app-session.js'

function dialog(state = DialogState.Confirmed): Dialog {
  return new Dialog({
    role: 'uac',
    callId: 'c1',
    localTag: 'l1',
    remoteTag: 'r1',
    local: '<sip:a@127.0.0.1>;tag=l1',
    remote: '<sip:b@127.0.0.1>;tag=r1',
    localSeq: 1,
    remoteTarget: 'sip:b@127.0.0.1:5070',
    routeSet: [],
    peer: { protocol: 'udp', address: '127.0.0.1', port: 5070 } as never,
    owner: {} as unknown as AppSession,
    inviteSeq: 1,
    state,
  })
}

/**
 * The `terminating` state: a dialog whose BYE we sent lasts until the BYE's final response
 * (drachtio-server's processResponseInsideDialog), so a BYE challenged with 401/407 can be
 * sent again in it.
 */
describe('Dialog: terminating (our BYE is out)', () => {
  it('a confirmed dialog whose BYE went out is terminating, and still not terminated', () => {
    const d = dialog()
    expect(d.byeSent()).toBe(true)
    expect(d.state).toBe(DialogState.Terminating)
    expect(d.terminating).toBe(true)
    expect(d.confirmed).toBe(false)
  })

  it('the BYE sent again (after a 401/407) keeps it terminating and stops the ByeRetry timer', () => {
    const d = dialog()
    d.byeSent()
    d.timers.set('ByeRetry', 60_000, () => undefined)
    expect(d.byeSent()).toBe(true)
    expect(d.timers.has('ByeRetry')).toBe(false)
    expect(d.state).toBe(DialogState.Terminating)
  })

  it('terminating ends only in terminated, which clears its timers', () => {
    const d = dialog()
    d.byeSent()
    d.timers.set('ByeRetry', 60_000, () => undefined)
    expect(d.awaitAck('t1')).toBe(false)
    expect(d.terminate()).toBe(true)
    expect(d.state).toBe(DialogState.Terminated)
    expect(d.timers.has('ByeRetry')).toBe(false)
  })

  it('an early dialog or one awaiting the ACK of our 2xx cannot become terminating', () => {
    expect(dialog(DialogState.Early).byeSent()).toBe(false)
    const awaiting = dialog()
    awaiting.awaitAck('t1')
    expect(awaiting.byeSent()).toBe(false)
    expect(awaiting.state).toBe(DialogState.ConfirmedAwaitingAck)
  })
})
