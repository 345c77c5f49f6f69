import { randomBytes } from 'node:crypto'

/** RFC 3261 §19.3: tags and Call-IDs need global uniqueness and ≥32 bits of randomness. */
export function newTag(): string {
  return randomBytes(6).toString('hex')
}

export function newCallId(): string {
  return randomBytes(12).toString('hex')
}

/** An initial CSeq number below 2**31 (RFC 3261 §8.1.1.5). */
export function initialCSeq(): number {
  return 1 + Math.floor(Math.random() * 30000)
}
