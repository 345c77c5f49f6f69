import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { Call } from '../../../src/call/call.js'
import { CallState } from '../../../src/call/call-state.js'

const newCall = () => new Call({ accountSid: 'AC1', direction: 'inbound', from: 'a', to: 'b', logger: pino({ level: 'silent' }) })

describe('Call.transition', () => {
  it('reports every change once, in order, with the description of the new state', () => {
    const call = newCall()
    const seen: string[] = []
    call.onState((_c, d) => seen.push(d.call_status))
    expect(call.transition(CallState.Trying)).toBe(true)
    expect(call.transition(CallState.Ringing, { status: 180 })).toBe(true)
    expect(call.transition(CallState.Ringing)).toBe(false) // no change, no report
    expect(call.transition(CallState.InProgress, { status: 200 })).toBe(true)
    expect(call.transition(CallState.Completed, { endReason: 'done' })).toBe(true)
    expect(seen).toEqual(['trying', 'ringing', 'in-progress', 'completed'])
    expect(call.describe()).toMatchObject({ call_status: 'completed', sip_status: 200, reason: 'done' })
  })

  it('refuses a second final state and keeps the first (its reason too); the call signal aborts once', () => {
    const call = newCall()
    const seen: string[] = []
    call.onState((_c, d) => seen.push(d.call_status))
    call.transition(CallState.Trying)
    expect(call.transition(CallState.Canceled, { status: 487, endReason: 'caller canceled' })).toBe(true)
    expect(call.signal.aborted).toBe(true)
    expect(call.transition(CallState.Failed, { endReason: 'late failure' })).toBe(false)
    expect(call.transition(CallState.NoAnswer)).toBe(false)
    expect(call.state).toBe(CallState.Canceled)
    expect(call.describe().reason).toBe('caller canceled')
    expect(seen).toEqual(['trying', 'canceled'])
  })
})
