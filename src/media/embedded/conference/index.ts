export { ConferenceMixer } from './conference-mixer.js'
export { MixerMember, MemberState, type MixerMemberOptions, type MixerMemberStats, type WaitFrameProvider } from './conference-member.js'
