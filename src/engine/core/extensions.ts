import { getHeaders, type SipMessage } from '../message/index.js'
import { splitList } from '../message/split-list.js'

/**
 * Option tags (RFC 3261 §19.2) a request may require of us. `100rel` (RFC 3262) is done
 * by the engine itself; `timer` (RFC 4028), `replaces` (RFC 3891) and `norefersub`
 * (RFC 4488) only ask for headers the app writes, so a request requiring them goes to it.
 */
export const SUPPORTED_EXTENSIONS: readonly string[] = ['100rel', 'timer', 'replaces', 'norefersub']

/** The option tags of every `name` header (Require, Supported), lower-cased. */
export function optionTags(msg: SipMessage, name: 'require' | 'supported'): string[] {
  const tags: string[] = []
  for (const value of getHeaders(msg, name)) {
    for (const t of splitList(value)) if (t.trim()) tags.push(t.trim().toLowerCase())
  }
  return tags
}

/**
 * RFC 3261 §8.2.2.3: the option tags in Require that we do not understand; a non-empty
 * list gets 420 (Bad Extension) with them in Unsupported. ACK and CANCEL are exempt.
 */
export function unsupportedRequired(msg: SipMessage): string[] {
  return optionTags(msg, 'require').filter((t) => !SUPPORTED_EXTENSIONS.includes(t))
}

/** RFC 3262 §3: a reliable 1xx may only answer a request that supports or requires 100rel. */
export function accepts100rel(req: SipMessage): boolean {
  return optionTags(req, 'supported').includes('100rel') || optionTags(req, 'require').includes('100rel')
}

/** drachtio-server sends a 1xx reliably when the app put `100rel` in its Require. */
export function requires100rel(msg: SipMessage): boolean {
  return optionTags(msg, 'require').includes('100rel')
}

/** `RAck: <rseq> <cseq> <method>` (RFC 3262 §7.2), or undefined when malformed. */
export function parseRAck(value: string | undefined): { rseq: number; seq: number; method: string } | undefined {
  const m = /^\s*(\d+)\s+(\d+)\s+([A-Za-z]+)\s*$/.exec(value ?? '')
  return m ? { rseq: Number(m[1]), seq: Number(m[2]), method: m[3].toUpperCase() } : undefined
}
