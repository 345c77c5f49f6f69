import { getHeader, type SipMessage } from '../message/index.js'

/** How long a challenge is remembered: drachtio-server gives the caller 2 s to come back (`addChallenge`). */
export const CHALLENGE_MEMORY_MS = 2000

/**
 * Challenges a branch passed upstream, as drachtio-server keeps them
 * (sip-proxy-controller.cpp `addChallenge`, `isResponseToChallenge`): a 401/407 with a
 * realm and nonce remembers which destination asked; when the caller's retry carries
 * credentials for that realm and nonce and the app proxies it, it goes to that
 * destination only, whatever destinations the app names. Forgotten after 2 s or once used.
 */
export class Challenges {
  private readonly byNonce = new Map<string, { realm: string; target: string; timer: NodeJS.Timeout }>()

  /** A 401/407 from `target`; false when it carries no realm and nonce (then it is no challenge to remember). */
  remember(res: SipMessage, target: string): boolean {
    const p = digestParams(getHeader(res, 'www-authenticate') ?? getHeader(res, 'proxy-authenticate'))
    if (!p) return false
    this.forget(p.nonce)
    const timer = setTimeout(() => this.byNonce.delete(p.nonce), CHALLENGE_MEMORY_MS)
    timer.unref?.()
    this.byNonce.set(p.nonce, { realm: p.realm, target, timer })
    return true
  }

  /** The destination that challenged the credentials `req` carries, if any (used once). */
  targetFor(req: SipMessage): string | undefined {
    const p = digestParams(getHeader(req, 'authorization') ?? getHeader(req, 'proxy-authorization'))
    const known = p && this.byNonce.get(p.nonce)
    if (!p || !known || known.realm !== p.realm) return undefined
    this.forget(p.nonce)
    return known.target
  }

  close(): void {
    for (const n of [...this.byNonce.keys()]) this.forget(n)
  }

  private forget(nonce: string): void {
    const known = this.byNonce.get(nonce)
    if (known) clearTimeout(known.timer)
    this.byNonce.delete(nonce)
  }
}

/** `realm` and `nonce` of a Digest challenge or credentials (RFC 3261 §22.4, RFC 2617 §3.2). */
function digestParams(value: string | undefined): { realm: string; nonce: string } | undefined {
  if (!value) return undefined
  const get = (name: string) => new RegExp(`[\\s,]${name}\\s*=\\s*(?:"([^"]*)"|([^\\s,]+))`, 'i').exec(` ${value}`)
  const realm = get('realm')
  const nonce = get('nonce')
  if (!realm || !nonce) return undefined
  return { realm: realm[1] ?? realm[2], nonce: nonce[1] ?? nonce[2] }
}
