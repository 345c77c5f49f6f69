import { describe, expect, it } from 'vitest'
import { ConferenceMixer, MemberState } from '../../../src/media/embedded/conference/index.js'

const f = (v: number): Int16Array => new Int16Array(160).fill(v)
const level = (frame: Int16Array): number => frame[0]

describe('ConferenceMixer', () => {
  it('each member hears the others but not itself (mix-minus)', () => {
    const mixer = new ConferenceMixer()
    const a = mixer.join('room', 'a')
    const b = mixer.join('room', 'b')
    const c = mixer.join('room', 'c')
    a.push(f(100))
    b.push(f(20))
    c.push(f(3))
    mixer.tick()
    expect(level(a.pull())).toBe(23)
    expect(level(b.pull())).toBe(103)
    expect(level(c.pull())).toBe(120)
    expect(a.pull().every((s) => s === 23)).toBe(true)
  })

  it('a member alone hears silence and a member that pushed nothing contributes nothing', () => {
    const mixer = new ConferenceMixer()
    const a = mixer.join('r', 'a')
    a.push(f(500))
    mixer.tick()
    expect(level(a.pull())).toBe(0)
    const b = mixer.join('r', 'b')
    b.push(f(7))
    mixer.tick() // a pushed nothing this tick
    expect(level(a.pull())).toBe(7)
    expect(level(b.pull())).toBe(0)
  })

  it('clips the mix to 16 bits', () => {
    const mixer = new ConferenceMixer()
    const a = mixer.join('r', 'a')
    const b = mixer.join('r', 'b')
    const c = mixer.join('r', 'c')
    const d = mixer.join('r', 'd')
    a.push(f(30000))
    b.push(f(30000))
    c.push(f(-30000))
    d.push(f(-30000))
    mixer.tick()
    expect(level(a.pull())).toBe(-30000) // 30000 − 60000
    c.push(f(-30000))
    d.push(f(-30000))
    mixer.tick()
    expect(level(a.pull())).toBe(-32768)
    a.push(f(30000))
    b.push(f(30000))
    mixer.tick()
    expect(level(c.pull())).toBe(32767)
  })

  it('a muted member is not heard but still hears', () => {
    const mixer = new ConferenceMixer()
    const a = mixer.join('r', 'a', { muted: true })
    const b = mixer.join('r', 'b')
    a.push(f(100))
    b.push(f(5))
    mixer.tick()
    expect(level(b.pull())).toBe(0)
    expect(level(a.pull())).toBe(5)
    a.unmute()
    a.push(f(100))
    mixer.tick()
    expect(level(b.pull())).toBe(100)
  })

  it('a deaf member hears nothing but is still heard', () => {
    const mixer = new ConferenceMixer()
    const a = mixer.join('r', 'a')
    const b = mixer.join('r', 'b')
    a.setDeaf(true)
    a.push(f(100))
    b.push(f(5))
    mixer.tick()
    expect(a.pull().every((s) => s === 0)).toBe(true)
    expect(level(b.pull())).toBe(100)
    a.setDeaf(false)
    b.push(f(5))
    mixer.tick()
    expect(level(a.pull())).toBe(5)
  })

  it('hold: the member is neither heard nor hears the room, and gets the wait audio; unhold reconnects', () => {
    const mixer = new ConferenceMixer()
    const a = mixer.join('r', 'a')
    const b = mixer.join('r', 'b')
    let n = 0
    a.hold(() => f(1000 + n++))
    expect(a.state).toBe(MemberState.Held)
    for (let i = 0; i < 3; i++) {
      a.push(f(100))
      b.push(f(5))
      mixer.tick()
      expect(level(a.pull())).toBe(1000 + i) // wait audio, frame by frame
      expect(level(b.pull())).toBe(0) // a is not heard
    }
    a.unhold()
    a.push(f(100))
    b.push(f(5))
    mixer.tick()
    expect(level(a.pull())).toBe(5)
    expect(level(b.pull())).toBe(100)
    expect(a.muted).toBe(false)
  })

  it('hold without wait audio gives silence; a failing wait provider gives silence too', () => {
    const mixer = new ConferenceMixer()
    const a = mixer.join('r', 'a')
    const b = mixer.join('r', 'b')
    a.hold()
    b.push(f(5))
    mixer.tick()
    expect(level(a.pull())).toBe(0)
    a.hold(() => {
      throw new Error('wait source broke')
    })
    b.push(f(5))
    expect(() => mixer.tick()).not.toThrow()
    expect(level(a.pull())).toBe(0)
    expect(a.stats().waitProviderErrors).toBe(1)
  })

  it('muteAll mutes every non-moderator; unmuteAll undoes it', () => {
    const mixer = new ConferenceMixer()
    const mod = mixer.join('r', 'mod', { moderator: true })
    const a = mixer.join('r', 'a')
    const b = mixer.join('r', 'b')
    expect(mixer.muteAll('r')).toBe(true)
    expect([mod.muted, a.muted, b.muted]).toEqual([false, true, true])
    mod.push(f(1))
    a.push(f(10))
    b.push(f(100))
    mixer.tick()
    expect(level(a.pull())).toBe(1)
    expect(level(mod.pull())).toBe(0)
    mixer.unmuteAll('r')
    expect([a.muted, b.muted]).toEqual([false, false])
    expect(mixer.muteAll('nope')).toBe(false)
    mixer.muteAll('r', { exceptModerators: false })
    expect(mod.muted).toBe(true)
  })

  it('rooms are independent and a room disappears when its last member leaves', async () => {
    const mixer = new ConferenceMixer()
    const a = mixer.join('one', 'a')
    const b = mixer.join('one', 'b')
    const x = mixer.join('two', 'x')
    const y = mixer.join('two', 'y')
    a.push(f(1))
    x.push(f(50))
    mixer.tick()
    expect(level(b.pull())).toBe(1)
    expect(level(y.pull())).toBe(50)
    a.leave()
    expect(mixer.members('one').map((m) => m.id)).toEqual(['b'])
    b.leave()
    expect(mixer.hasRoom('one')).toBe(false)
    expect(mixer.roomNames()).toEqual(['two'])
    expect(() => a.mute()).toThrow(expect.objectContaining({ code: 'LIVECALL_ERR_MEDIA_CLOSED' }))
    a.push(f(9)) // ignored, never throws
    expect(level(a.pull())).toBe(0)
  })

  it('rejects a second member with the same id in a room', () => {
    const mixer = new ConferenceMixer()
    mixer.join('r', 'a')
    expect(() => mixer.join('r', 'a')).toThrow(expect.objectContaining({ code: 'LIVECALL_ERR_CONFERENCE_MEMBER_EXISTS' }))
  })

  it('queues at most 3 frames pushed between ticks, and plays them one per tick', () => {
    const mixer = new ConferenceMixer()
    const a = mixer.join('r', 'a')
    const b = mixer.join('r', 'b')
    for (let i = 1; i <= 5; i++) a.push(f(i))
    const heard: number[] = []
    for (let i = 0; i < 4; i++) {
      mixer.tick()
      heard.push(level(b.pull()))
    }
    expect(heard).toEqual([3, 4, 5, 0])
    expect(a.stats().framesOverflowed).toBe(2)
  })

  it('mixes 50 members so that each hears the sum of the 49 others', () => {
    const mixer = new ConferenceMixer()
    const members = Array.from({ length: 50 }, (_, i) => mixer.join('big', `m${i}`))
    members.forEach((m, i) => m.push(f(i + 1)))
    mixer.tick()
    const total = (50 * 51) / 2
    members.forEach((m, i) => expect(level(m.pull())).toBe(total - (i + 1)))
  })
})
