/**
 * A member of a mod_conference room. Joining executes `conference <name>@livecall[+flags{mute|deaf}]`
 * on the channel (drachtio-fsmrf's Endpoint#join, which resolves on the add-member event
 * with the member id); everything after is an api command naming that member:
 *
 *   mute / unmute / deaf / undeaf   conference <name> mute|unmute|deaf|undeaf <id>
 *   hold(wait)                      mute + deaf, then conference <name> play <wait> <id>,
 *                                   played again on every play-file-member-done (the wait loop)
 *   unhold                          conference <name> stop all <id>, then mute/deaf as they were
 *   leave                           conference <name> hup <id>   (kick without the kick sound)
 *
 * Each dimension is its own state: `muted`, `deaf` (what the API asked) and `held`; the
 * effective mute is muted || held, so unhold restores what mute/deaf said.
 */
import type { ConferenceMember, PlaySource } from '../types.js'
import type { FsCommands } from './fs-command.js'
import type { EslEvent, FsmrfEndpoint } from './fsmrf.js'
import { playCommand } from './play-args.js'

/** the conference profile in freeswitch/conf/autoload_configs/conference.conf.xml */
export const CONFERENCE_PROFILE = 'livecall'

export enum FsHoldState {
  None = 'none',
  Held = 'held',
}

export class FsConferenceMember implements ConferenceMember {
  private muted: boolean
  private isDeaf: boolean
  private hold_ = FsHoldState.None
  private wait?: string
  private left = false
  private readonly onCustom = (evt: EslEvent): void => {
    if (evt.getHeader('Event-Subclass') !== 'conference::maintenance') return
    if (evt.getHeader('Action') !== 'play-file-member-done' || evt.getHeader('Member-ID') !== String(this.memberId)) return
    if (this.hold_ === FsHoldState.Held && this.wait) this.conf(`play ${this.wait}`)
  }

  private constructor(
    private readonly ep: FsmrfEndpoint,
    private readonly cmd: FsCommands,
    readonly conference: string,
    readonly memberId: number,
    opts: { muted: boolean; deaf: boolean },
    private readonly onError: (err: unknown) => void,
  ) {
    this.muted = opts.muted
    this.isDeaf = opts.deaf
    ep.conn?.on('esl::event::CUSTOM::*', this.onCustom)
  }

  static async join(ep: FsmrfEndpoint, cmd: FsCommands, name: string, opts: { muted?: boolean; deaf?: boolean }, onError: (err: unknown) => void): Promise<FsConferenceMember> {
    const flags: Record<string, boolean> = {}
    if (opts.muted) flags.mute = true
    if (opts.deaf) flags.deaf = true
    const { memberId } = await ep.join(name, { profile: CONFERENCE_PROFILE, flags })
    return new FsConferenceMember(ep, cmd, name, memberId, { muted: !!opts.muted, deaf: !!opts.deaf }, onError)
  }

  mute(): void {
    this.muted = true
    if (this.hold_ === FsHoldState.None) this.conf('mute')
  }

  unmute(): void {
    this.muted = false
    if (this.hold_ === FsHoldState.None) this.conf('unmute')
  }

  deaf(): void {
    this.isDeaf = true
    if (this.hold_ === FsHoldState.None) this.conf('deaf')
  }

  undeaf(): void {
    this.isDeaf = false
    if (this.hold_ === FsHoldState.None) this.conf('undeaf')
  }

  hold(wait?: PlaySource): void {
    if (this.hold_ === FsHoldState.Held || this.left) return
    this.hold_ = FsHoldState.Held
    this.wait = wait ? conferencePlayArg(wait) : undefined
    if (!this.muted) this.conf('mute')
    if (!this.isDeaf) this.conf('deaf')
    if (this.wait) this.conf(`play ${this.wait}`)
  }

  unhold(): void {
    if (this.hold_ !== FsHoldState.Held || this.left) return
    this.hold_ = FsHoldState.None
    if (this.wait) this.conf('stop all')
    this.wait = undefined
    if (!this.muted) this.conf('unmute')
    if (!this.isDeaf) this.conf('undeaf')
  }

  async leave(): Promise<void> {
    if (this.left) return
    this.left = true
    this.hold_ = FsHoldState.None
    this.ep.conn?.removeListener('esl::event::CUSTOM::*', this.onCustom)
    await this.cmd.api('conference', `${this.conference} hup ${this.memberId}`).catch(this.onError)
  }

  /** the channel is gone: FreeSWITCH removed the member itself */
  channelClosed(): void {
    this.left = true
    this.ep.conn?.removeListener('esl::event::CUSTOM::*', this.onCustom)
  }

  /** `conference <name> <action> <member id>`; member commands are fire-and-forget, errors reported */
  private conf(action: string): void {
    if (this.left) return
    this.cmd.api('conference', `${this.conference} ${action} ${this.memberId}`).catch(this.onError)
  }
}

/** what `conference … play` takes: a file or URL, a tone_stream, or `say:<text>` (the profile's tts-engine, flite) */
export function conferencePlayArg(source: PlaySource): string {
  if (source.type === 'say') return `say:${source.text.replace(/[\r\n]+/g, ' ')}`
  return playCommand(source).arg
}
