/**
 * Why a FreeSWITCH channel's audio is muted, per side. Two causes meet on one channel:
 * the API (`mute('send' | 'receive')`) and the direction we advertise
 * (`setLocalDirection`, i.e. hold). A hold re-INVITE is signalling only — FreeSWITCH keeps
 * sending audio unless told (issue 10's facts) — so the direction must mute too, and
 * unmuting one cause must not lift the other.
 *
 * FreeSWITCH's words: `read` is what the channel reads from its far end (what the far end
 * says), `write` is what it writes to it (what the far end hears). `set_mute read true`
 * is the channel's read mute (drachtio-fsmrf's `Endpoint#mute`).
 */
import type { MediaDirection } from '../types.js'

export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'
export type FsMuteSide = 'read' | 'write'

export class MuteState {
  private api = { read: false, write: false }
  private direction = { read: false, write: false }

  /** which sides the API mutes: 'send' → write, 'receive' → read */
  static sides(direction: MediaDirection): FsMuteSide[] {
    return direction === 'send' ? ['write'] : direction === 'receive' ? ['read'] : ['read', 'write']
  }

  muted(side: FsMuteSide): boolean {
    return this.api[side] || this.direction[side]
  }

  /** Apply an API mute/unmute; returns the sides whose effective state changed. */
  setApi(direction: MediaDirection, on: boolean): FsMuteSide[] {
    return this.change(MuteState.sides(direction), (side) => (this.api[side] = on))
  }

  /**
   * Apply the direction we advertise (RFC 3264 §6.1): we do not send on recvonly/inactive
   * (write muted); we ignore what arrives on sendonly/inactive (read muted).
   */
  setDirection(d: SdpDirection): FsMuteSide[] {
    const want = { write: d === 'recvonly' || d === 'inactive', read: d === 'sendonly' || d === 'inactive' }
    return this.change(['read', 'write'], (side) => (this.direction[side] = want[side]))
  }

  private change(sides: FsMuteSide[], set: (side: FsMuteSide) => void): FsMuteSide[] {
    const changed: FsMuteSide[] = []
    for (const side of sides) {
      const before = this.muted(side)
      set(side)
      if (this.muted(side) !== before) changed.push(side)
    }
    return changed
  }
}
