import { sdpOf } from './sip-message.js'

/** What a test waits on at a SipUdpPhone or SipUdpCallee: the messages it received. */
interface Endpoint {
  messages: string[]
  waitFor(pred: (m: string) => boolean, timeoutMs?: number, what?: string): Promise<string>
}

/** The a= direction attribute (RFC 3264 §5.1) of a message's SDP. */
export function directionOf(message: string): string | undefined {
  return /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(sdpOf(message))?.[1]
}

const isReinvite = (m: string): boolean => m.startsWith('INVITE ') && /^To:.*;tag=/im.test(m)

/** In-dialog INVITEs `ep` received so far (retransmissions counted once). */
export function reinvitesOf(ep: Pick<Endpoint, 'messages'>): string[] {
  return [...new Set(ep.messages.filter(isReinvite))]
}

/** Wait for the `n`-th (1-based) re-INVITE `ep` receives. */
export async function waitForReinvite(ep: Endpoint, n: number): Promise<string> {
  await ep.waitFor(() => reinvitesOf(ep).length >= n, 10_000, `re-INVITE #${n}`)
  return reinvitesOf(ep)[n - 1]
}

/** Wait for the BYE `ep` receives (answered by the endpoint itself). */
export async function waitForBye(ep: Endpoint, what: string, timeoutMs = 15_000): Promise<string> {
  return ep.waitFor((m) => m.startsWith('BYE '), timeoutMs, `BYE to ${what}`)
}
