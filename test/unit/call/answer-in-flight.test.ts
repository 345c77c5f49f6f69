/**
 * With drachtio-server the caller can hold the 200 OK before livecall hears it was sent
 * (the server sends it, then confirms over the wire protocol). A control request arriving in
 * that window must not find the call `trying`: it waits for the answer to settle. The SIP
 * layer's timing is faked: the answer resolves when the test says so.
 */
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { Call } from '../../../src/call/call.js'
import { CallState } from '../../../src/call/call-state.js'
import type { SipDialog } from '../../../src/sip/sip-dialog.js'

const logger = pino({ level: 'silent' })

function fakeDialog(): SipDialog {
  return { onOffer: () => undefined, onEnded: () => undefined, hangup: async () => undefined } as unknown as SipDialog
}

function ringingCall() {
  const call = new Call({ accountSid: 'AC1', direction: 'inbound', from: 'a', to: 'b', logger })
  call.transition(CallState.Trying)
  let send!: (d: SipDialog) => void
  let fail!: (e: Error) => void
  let answers = 0
  call.setPending({
    abandon: () => undefined,
    answer: () => {
      answers++
      return new Promise<SipDialog>((res, rej) => ((send = res), (fail = rej)))
    },
  })
  return { call, send: () => send(fakeDialog()), fail: (e: Error) => fail(e), answers: () => answers }
}

describe('an answer in flight', () => {
  it('answerSettled waits for the 200 OK to be confirmed; a second answer() joins the first', async () => {
    const { call, send, answers } = ringingCall()
    const first = call.answer()
    const second = call.answer()
    expect(answers()).toBe(1)
    let settled = false
    const waiting = call.answerSettled().then(() => (settled = true))
    await new Promise((r) => setTimeout(r, 10))
    expect(settled).toBe(false)
    expect(call.state).toBe(CallState.Trying)
    send()
    await Promise.all([first, second, waiting])
    expect(call.state).toBe(CallState.InProgress)
  })

  it('a failed answer settles too (the request then sees the call as it is), and answerSettled never rejects', async () => {
    const { call, fail } = ringingCall()
    const first = call.answer()
    first.catch(() => undefined)
    const waiting = call.answerSettled()
    fail(new Error('no ACK'))
    await expect(first).rejects.toThrow('no ACK')
    await expect(waiting).resolves.toBeUndefined()
    expect(call.answered).toBe(false)
  })

  it('with no answer in flight answerSettled resolves at once', async () => {
    const { call } = ringingCall()
    await expect(call.answerSettled()).resolves.toBeUndefined()
  })
})
