import { randomFillSync } from 'node:crypto'

/** Cryptographic random bytes drawn 4 KiB at a time (one draw per ~600 tags, not one per tag). */
const POOL_BYTES = 4096
const pool = Buffer.alloc(POOL_BYTES)
let used = POOL_BYTES

function randomHex(bytes: number): string {
  if (used + bytes > POOL_BYTES) {
    randomFillSync(pool)
    used = 0
  }
  const hex = pool.toString('hex', used, used + bytes)
  used += bytes
  return hex
}

/** RFC 3261 §19.3: tags and Call-IDs need global uniqueness and ≥32 bits of randomness. */
export function newTag(): string {
  return randomHex(6)
}

export function newCallId(): string {
  return randomHex(12)
}

/** An initial CSeq number below 2**31 (RFC 3261 §8.1.1.5). */
export function initialCSeq(): number {
  return 1 + Math.floor(Math.random() * 30000)
}
