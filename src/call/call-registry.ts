import type { Call } from './call.js'

/**
 * Where calls in progress are found by account and sid. Async on purpose: today's
 * implementation is in memory, a Redis-backed one (several livecall instances, SPEC §1)
 * can replace it without changing its callers.
 */
export interface CallRegistry {
  add(call: Call): Promise<void>
  get(accountSid: string, callSid: string): Promise<Call | undefined>
  list(accountSid: string): Promise<Call[]>
  remove(callSid: string): Promise<void>
  /** calls in progress, every account */
  size(): number
  all(): Call[]
}

export class InMemoryCallRegistry implements CallRegistry {
  private readonly calls = new Map<string, Call>()

  async add(call: Call): Promise<void> {
    this.calls.set(call.sid, call)
  }

  async get(accountSid: string, callSid: string): Promise<Call | undefined> {
    const call = this.calls.get(callSid)
    return call && call.accountSid === accountSid ? call : undefined
  }

  async list(accountSid: string): Promise<Call[]> {
    return [...this.calls.values()].filter((c) => c.accountSid === accountSid)
  }

  async remove(callSid: string): Promise<void> {
    this.calls.delete(callSid)
  }

  size(): number {
    return this.calls.size
  }

  all(): Call[] {
    return [...this.calls.values()]
  }
}
