import type { LegStatuses } from './app-server.js'

/**
 * The status sequences one benchmark call produces when everything works (SPEC §3): the
 * caller's leg is answered by the dial once the callee answers; the callee's leg (SIPp
 * sends 180 then 200) rings first.
 */
export const EXPECTED_SEQUENCES: Record<string, readonly string[]> = {
  inbound: ['trying', 'in-progress', 'completed'],
  outbound: ['trying', 'ringing', 'in-progress', 'completed'],
}

/** Status callbacks one successful call produces, both legs. */
export const CALLBACKS_PER_CALL = EXPECTED_SEQUENCES.inbound.length + EXPECTED_SEQUENCES.outbound.length

export interface LegSummary {
  inboundLegs: number
  outboundLegs: number
  /** legs whose callbacks are exactly their expected sequence, in order */
  legsComplete: number
  /** legs with a missing, extra or out-of-order callback; a few examples */
  legsOff: number
  /** "direction: s1 → s2 …" → how many legs were off that way */
  offPatterns: Record<string, number>
  examples: string[]
}

export function summarizeLegs(legs: Map<string, LegStatuses>): LegSummary {
  const out: LegSummary = { inboundLegs: 0, outboundLegs: 0, legsComplete: 0, legsOff: 0, offPatterns: {}, examples: [] }
  for (const [sid, leg] of legs) {
    if (leg.direction === 'inbound') out.inboundLegs++
    else out.outboundLegs++
    const want = EXPECTED_SEQUENCES[leg.direction] ?? []
    if (want.length === leg.statuses.length && want.every((s, i) => leg.statuses[i] === s)) out.legsComplete++
    else {
      out.legsOff++
      const pattern = `${leg.direction}: ${leg.statuses.join(' → ')}`
      out.offPatterns[pattern] = (out.offPatterns[pattern] ?? 0) + 1
      const parent = leg.parent ? legs.get(leg.parent) : undefined
      if (out.examples.length < 5) out.examples.push(`${leg.direction} ${sid}: ${leg.statuses.join(' → ')}${parent ? ` (caller leg ${leg.parent}: ${parent.statuses.join(' → ')})` : ''}`)
    }
  }
  return out
}
