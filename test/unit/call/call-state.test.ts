import { describe, expect, it } from 'vitest'
import { CallState, canTransition, isFinal } from '../../../src/call/call-state.js'

const ALL = Object.values(CallState)
const LIVE = [CallState.Queued, CallState.Trying, CallState.Ringing, CallState.EarlyMedia, CallState.InProgress]
const FINALS = ALL.filter((s) => !LIVE.includes(s))

describe('CallState.canTransition (SPEC §3)', () => {
  it('a final state is final: no move out of it', () => {
    for (const from of FINALS) for (const to of ALL) expect(canTransition(from, to), `${from} → ${to}`).toBe(false)
    expect(FINALS.every(isFinal)).toBe(true)
  })

  it('completed only from in-progress', () => {
    for (const from of LIVE) expect(canTransition(from, CallState.Completed), from).toBe(from === CallState.InProgress)
  })

  it('live states only move forward (jumps allowed), never back or to themselves', () => {
    for (const [i, from] of LIVE.entries()) {
      for (const [j, to] of LIVE.entries()) expect(canTransition(from, to), `${from} → ${to}`).toBe(j > i)
    }
  })

  it('an unanswered call may end busy / no-answer / canceled / failed; an answered one only failed or completed', () => {
    for (const from of LIVE.slice(0, 4)) {
      for (const to of [CallState.Busy, CallState.NoAnswer, CallState.Canceled, CallState.Failed]) expect(canTransition(from, to), `${from} → ${to}`).toBe(true)
    }
    expect(canTransition(CallState.InProgress, CallState.Busy)).toBe(false)
    expect(canTransition(CallState.InProgress, CallState.NoAnswer)).toBe(false)
    expect(canTransition(CallState.InProgress, CallState.Canceled)).toBe(false)
    expect(canTransition(CallState.InProgress, CallState.Failed)).toBe(true)
  })
})
