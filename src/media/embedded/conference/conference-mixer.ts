import { LivecallError } from '../../../errors/livecall-error.js'
import { FRAME_SAMPLES, MemberState, MixerMember, type MixerMemberOptions } from './conference-member.js'

/**
 * Named conference rooms mixed at 8 kHz, one 20 ms frame per tick.
 *
 * Mix-minus: per room and tick the frames of all audible members are summed once
 * (Int32, no clipping), then each hearing member gets `sum − own` clipped to 16 bits,
 * so a tick costs O(N × 160) whatever the number of members N, not O(N² × 160).
 * A room exists from its first join until its last member leaves.
 *
 * Per tick the engine's pacer: pushes each member's received frame (any time during the
 * 20 ms), calls `tick()` once, then sends each member `pull()`.
 */
export class ConferenceMixer {
  private readonly rooms = new Map<string, Map<string, MixerMember>>()
  /** ticks of a room that failed (should stay 0; the other rooms are still mixed) */
  mixErrors = 0

  /** Add a member; throws LIVECALL_ERR_CONFERENCE_MEMBER_EXISTS (409) if that id is already in the room. */
  join(room: string, memberId: string, opts: MixerMemberOptions = {}): MixerMember {
    let members = this.rooms.get(room)
    if (members?.has(memberId)) {
      throw new LivecallError('LIVECALL_ERR_CONFERENCE_MEMBER_EXISTS', `${memberId} is already in conference ${room}`, 409)
    }
    if (!members) {
      members = new Map()
      this.rooms.set(room, members)
    }
    const member = new MixerMember(room, memberId, opts, (m) => this.remove(m))
    members.set(memberId, member)
    return member
  }

  hasRoom(room: string): boolean {
    return this.rooms.has(room)
  }

  roomNames(): string[] {
    return [...this.rooms.keys()]
  }

  members(room: string): MixerMember[] {
    return [...(this.rooms.get(room)?.values() ?? [])]
  }

  /**
   * SPEC §5 conf_mute_status: mute every member (by default every non-moderator).
   * Members joining later are not affected. Returns false when the room does not exist.
   */
  muteAll(room: string, opts: { exceptModerators?: boolean } = {}): boolean {
    return this.setMutedAll(room, true, opts.exceptModerators ?? true)
  }

  unmuteAll(room: string, opts: { exceptModerators?: boolean } = {}): boolean {
    return this.setMutedAll(room, false, opts.exceptModerators ?? true)
  }

  /** Mix every room for this 20 ms tick. Never throws. */
  tick(): void {
    for (const members of this.rooms.values()) {
      try {
        this.mixRoom(members)
      } catch {
        this.mixErrors++
      }
    }
  }

  private mixRoom(members: Map<string, MixerMember>): void {
    const sum = new Int32Array(FRAME_SAMPLES)
    for (const m of members.values()) {
      m.takeFrame()
      const f = m.current
      if (!f || !m.audible) continue
      const n = Math.min(f.length, FRAME_SAMPLES)
      for (let i = 0; i < n; i++) sum[i] += f[i]
    }
    for (const m of members.values()) {
      if (m.state === MemberState.Held) {
        m.setHeard(m.waitFrame())
        continue
      }
      const out = new Int16Array(FRAME_SAMPLES)
      if (m.hearing) {
        const own = m.audible ? m.current : null
        const n = own ? Math.min(own.length, FRAME_SAMPLES) : 0
        for (let i = 0; i < FRAME_SAMPLES; i++) {
          const v = i < n ? sum[i] - own![i] : sum[i]
          out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v
        }
      }
      m.setHeard(out)
    }
  }

  private setMutedAll(room: string, muted: boolean, exceptModerators: boolean): boolean {
    const members = this.rooms.get(room)
    if (!members) return false
    for (const m of members.values()) {
      if (exceptModerators && m.moderator) continue
      if (muted) m.mute()
      else m.unmute()
    }
    return true
  }

  private remove(member: MixerMember): void {
    const members = this.rooms.get(member.room)
    if (!members || members.get(member.id) !== member) return
    members.delete(member.id)
    if (members.size === 0) this.rooms.delete(member.room)
  }
}
