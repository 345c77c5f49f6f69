/**
 * A MediaEndpoint on FreeSWITCH: one channel, created by drachtio-fsmrf (an INVITE from
 * drachtio-srf to FreeSWITCH's drachtio_mrf profile; the channel's outbound event socket
 * carries every command below). The command each operation sends:
 *
 * | operation | event-socket command |
 * |---|---|
 * | setRemoteSdp | a re-INVITE to the channel (Endpoint#modify), then `uuid_dump` for the new local SDP |
 * | setLocalDirection | rewrites a= direction in localSdp, and mutes what that direction forbids (`set_mute write/read true`): a hold re-INVITE alone does not stop FreeSWITCH sending |
 * | bridge / unbridge | `uuid_setvar <a|b> send_silence_when_idle -1`, `uuid_bridge <a> <b>` / `uuid_transfer <a> -both park inline` (parks both legs; parked, each sends silence); each then polls `uuid_getvar <a> bridge_to` until it names b / nothing |
 * | mute / unmute | `set_mute read true` ('receive', the channel's read mute), `set_mute write true` ('send') |
 * | play | `playback <file|url|tone_stream|silence_stream>` or `speak flite|<voice>|<text>`; abort: `uuid_break <uuid> all` |
 * | collectDigits | none: DTMF events (digit-collector.ts) |
 * | sendDigits | `uuid_send_dtmf <uuid> <digits>@<ms>` |
 * | startListen | `uuid_audio_fork`, with a bug name (fs-listen.ts) |
 * | startRecording | `uuid_record` (fs-recording.ts) |
 * | joinConference | `conference <name>@livecall…` (fs-conference-member.ts) |
 * | close | `hangup` (FreeSWITCH then sends BYE on the channel's dialog); `uuid_kill` when that has not happened within 5 s |
 *
 * States: open → closing → closed; a closed endpoint rejects every call with
 * LIVECALL_ERR_MEDIA_CLOSED. close() cascades to listens, recordings and conference members.
 */
import { LivecallError } from '../../errors/index.js'
import { SafeEmitter } from '../embedded/safe-emitter.js'
import type {
  CollectDigitsOptions, CollectDigitsResult, ConferenceJoinOptions, ConferenceMember, ListenHandle, ListenOptions,
  MediaDirection, MediaEndpoint, MediaEndpointEvents, MediaEndpointStats, PlayResult, PlaySource, RecordingHandle,
  RecordingOptions, SendDigitsOptions,
} from '../types.js'
import { collectDigitsFrom } from './digit-collector.js'
import { fsCommands, type FsCommands } from './fs-command.js'
import { FsConferenceMember } from './fs-conference-member.js'
import { FsListen } from './fs-listen.js'
import { FsRecording } from './fs-recording.js'
import { farEndSendsNothing, type MediaTimeouts } from './media-timeouts.js'
import type { FsmrfEndpoint } from './fsmrf.js'
import { MuteState, type FsMuteSide, type SdpDirection } from './mute-state.js'
import { playCommand } from './play-args.js'
import { audioDirection, firstAudioCodec, withAudioDirection } from './sdp-direction.js'
import { digitsPlayMs, sendDtmfArg } from './send-dtmf.js'

/** RFC 3264 §6.1: the direction that answers an offered one */
function answerDirection(offered: SdpDirection): SdpDirection {
  return offered === 'sendonly' ? 'recvonly' : offered === 'recvonly' ? 'sendonly' : offered
}

export enum FsEndpointState {
  Open = 'open',
  Closing = 'closing',
  Closed = 'closed',
}

/** how long close() waits for FreeSWITCH's BYE after `hangup` */
const CLOSE_TIMEOUT_MS = 5000
/** how long FreeSWITCH may take to complete a bridge or an unbridge, and how often to look */
const BRIDGE_SETTLE_MS = 5000
const BRIDGE_POLL_MS = 20

export class FreeswitchEndpoint implements MediaEndpoint {
  private state = FsEndpointState.Open
  private readonly events: SafeEmitter<MediaEndpointEvents>
  private readonly cmd: FsCommands
  private readonly mutes = new MuteState()
  /** the direction livecall asked for (setLocalDirection); FreeSWITCH's own SDP says sendrecv */
  private advertised: SdpDirection = 'sendrecv'
  /**
   * the direction of the far end's last SDP since our last offer. FreeSWITCH's own SDP keeps
   * the direction it last answered (after our hold: the far end's a=recvonly answer made it
   * a=sendonly), so our SDP's direction is derived from these two, never read back from it.
   */
  private remoteDirection: SdpDirection = 'sendrecv'
  private fsLocalSdp: string
  private readonly listens = new Set<FsListen>()
  private readonly recordings = new Set<FsRecording>()
  private readonly members = new Set<FsConferenceMember>()
  private closing?: Promise<void>
  /** aborted as the endpoint leaves Open (close() or the channel gone): pending joins give up */
  private readonly gone = new AbortController()

  constructor(
    readonly channel: FsmrfEndpoint,
    private readonly report: (err: unknown, what: string) => void,
    /** `uuid_kill` over livecall's own event socket (the engine's), not the channel's */
    private readonly kill: (uuid: string) => Promise<void>,
    private readonly timeouts?: MediaTimeouts,
  ) {
    this.cmd = fsCommands(channel)
    this.fsLocalSdp = channel.local.sdp ?? ''
    this.events = new SafeEmitter((event, err) => report(err, `listener of ${event}`))
    // drachtio-modesl writes each command in several pieces: without TCP_NODELAY every
    // command waits ~40 ms for Nagle + delayed ACK (issue 10's facts)
    channel.conn?.socket?.setNoDelay(true)
    channel.on('dtmf', (e) => this.events.emit('dtmf', e.dtmf, Number(e.duration) / 8 || 0))
    channel.on('destroy', (e) => {
      if (e?.reason === 'MEDIA_TIMEOUT') this.events.emit('timeout')
      this.channelGone()
    })
  }

  get id(): string {
    return this.channel.uuid
  }

  get localSdp(): string {
    const direction = this.localDirection()
    return audioDirection(this.fsLocalSdp) === direction ? this.fsLocalSdp : withAudioDirection(this.fsLocalSdp, direction)
  }

  /** RFC 3264 §6.1: what we advertise (hold), else the answer to the far end's direction */
  private localDirection(): SdpDirection {
    return this.advertised !== 'sendrecv' ? this.advertised : answerDirection(this.remoteDirection)
  }

  get closed(): boolean {
    return this.state !== FsEndpointState.Open
  }

  async setRemoteSdp(sdp: string): Promise<string> {
    this.assertOpen()
    const silent = farEndSendsNothing(audioDirection(sdp))
    if (this.timeouts && silent !== farEndSendsNothing(this.remoteDirection)) {
      // read by FreeSWITCH as it negotiates this re-INVITE (media-timeouts.ts)
      const ms = silent ? this.timeouts.holdTimeoutMs : this.timeouts.timeoutMs
      for (const name of ['media_timeout', 'media_timeout_audio']) await this.cmd.api('uuid_setvar', `${this.id} ${name} ${ms}`)
    }
    await this.channel.modify(sdp).catch((err: unknown) => {
      throw new LivecallError('LIVECALL_ERR_MEDIA_BAD_SDP', `FreeSWITCH refused the SDP: ${(err as Error).message}`, undefined, { cause: err })
    })
    this.fsLocalSdp = this.channel.local.sdp ?? this.fsLocalSdp
    this.remoteDirection = audioDirection(sdp)
    // the far end's hold (our answer recvonly/inactive) must silence FreeSWITCH too
    await this.applyMutes(this.mutes.setDirection(this.localDirection()))
    return this.localSdp
  }

  async setLocalDirection(direction: SdpDirection): Promise<string> {
    this.assertOpen()
    this.advertised = direction
    // a new offer of ours: the far end's last direction answered the previous one
    this.remoteDirection = 'sendrecv'
    await this.applyMutes(this.mutes.setDirection(direction))
    return this.localSdp
  }

  async bridge(other: MediaEndpoint): Promise<void> {
    this.assertOpen()
    if (!(other instanceof FreeswitchEndpoint)) throw new LivecallError('LIVECALL_ERR_MEDIA_INCOMPATIBLE', 'a FreeSWITCH endpoint bridges only with another FreeSWITCH endpoint')
    other.assertOpen()
    // unbridge parks both legs, and a parked channel sends no RTP unless told to: the party
    // that is not whispered to must still get RTP (silence). Set here, not in the dialplan,
    // so nothing is sent to a caller before livecall answers it.
    for (const id of [this.id, other.id]) await this.cmd.api('uuid_setvar', `${id} send_silence_when_idle -1`)
    await this.cmd.api('uuid_bridge', `${this.id} ${other.id}`)
    // uuid_bridge answers +OK before the bridge exists: both channels still have to pass
    // through their state machines. A transfer in that window (an unbridge, a redirect of
    // both legs) made FreeSWITCH hang the other leg up (DESTINATION_OUT_OF_ORDER).
    await this.untilBridgedTo(other.id, 'bridge')
  }

  async unbridge(): Promise<void> {
    this.assertOpen()
    await this.cmd.api('uuid_transfer', `${this.id} -both park inline`)
    // likewise the transfer: done once the channel no longer names a bridge partner
    await this.untilBridgedTo(undefined, 'unbridge')
  }

  /** Polls the channel's `bridge_to` (set on both legs once bridged, cleared when unbridged). */
  private async untilBridgedTo(partner: string | undefined, what: string): Promise<void> {
    const deadline = Date.now() + BRIDGE_SETTLE_MS
    while ((await this.cmd.getVar(this.id, 'bridge_to')) !== partner) {
      if (Date.now() > deadline) throw new LivecallError('LIVECALL_ERR_MEDIA_STATE', `FreeSWITCH did not complete the ${what} of ${this.id} within ${BRIDGE_SETTLE_MS} ms`)
      this.assertOpen()
      await new Promise((resolve) => setTimeout(resolve, BRIDGE_POLL_MS))
    }
  }

  async mute(direction: MediaDirection): Promise<void> {
    this.assertOpen()
    await this.applyMutes(this.mutes.setApi(direction, true))
  }

  async unmute(direction: MediaDirection): Promise<void> {
    this.assertOpen()
    await this.applyMutes(this.mutes.setApi(direction, false))
  }

  async play(source: PlaySource, signal?: AbortSignal): Promise<PlayResult> {
    this.assertOpen()
    const started = Date.now()
    if (signal?.aborted) return { aborted: true, playedMs: 0 }
    const { app, arg } = playCommand(source)
    let aborted = false
    const onAbort = (): void => {
      aborted = true
      this.cmd.api('uuid_break', `${this.id} all`).catch((err: unknown) => this.report(err, 'uuid_break'))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const loops = ('loop' in source ? source.loop : undefined) ?? 1
      for (let pass = 0; (loops === 0 || pass < loops) && !aborted && !this.closed; pass++) {
        const done = await this.cmd.execute(app, arg)
        if (done.header('Application-Response') === 'FILE NOT FOUND') {
          throw new LivecallError('LIVECALL_ERR_MEDIA_NOT_FOUND', `FreeSWITCH cannot play ${arg}`)
        }
      }
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
    return { aborted, playedMs: Date.now() - started }
  }

  collectDigits(opts: CollectDigitsOptions, signal?: AbortSignal): Promise<CollectDigitsResult> {
    this.assertOpen()
    return collectDigitsFrom((listener) => {
      const l = (digit: string): void => listener(digit)
      this.events.on('dtmf', l)
      return () => this.events.off('dtmf', l)
    }, opts, signal)
  }

  async sendDigits(digits: string, opts: SendDigitsOptions = {}, signal?: AbortSignal): Promise<void> {
    this.assertOpen()
    const { arg, durationMs } = sendDtmfArg(digits, opts)
    await this.cmd.api('uuid_send_dtmf', `${this.id} ${arg}`)
    // FreeSWITCH answers at once and sends the events from its media thread: wait as long as they take
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, digitsPlayMs(digits, durationMs))
      function done(): void {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      signal?.addEventListener('abort', done, { once: true })
    })
  }

  async startListen(opts: ListenOptions): Promise<ListenHandle> {
    this.assertOpen()
    const listen = await FsListen.start(this.channel, opts, (err) => this.report(err, 'uuid_audio_fork'))
    this.listens.add(listen)
    void listen.done.then(() => this.listens.delete(listen))
    return listen
  }

  async startRecording(opts: RecordingOptions): Promise<RecordingHandle> {
    this.assertOpen()
    const rec = await FsRecording.start(this.cmd, this.id, opts, (err) => this.report(err, 'uuid_record'))
    this.recordings.add(rec)
    return rec
  }

  /**
   * The join resolves on FreeSWITCH's add-member event, which can come late: on the first
   * room after FreeSWITCH started it came 480 ms after the member already heard the room,
   * after the caller had hung up, and never reached the closed channel's socket. A join
   * still pending when the endpoint closes is refused then, so the conference verb (and the
   * room, and every other member) does not wait for it forever.
   */
  async joinConference(name: string, opts: ConferenceJoinOptions = {}): Promise<ConferenceMember> {
    this.assertOpen()
    const joining = FsConferenceMember.join(this.channel, this.cmd, name, opts, (err) => this.report(err, 'conference'))
    const closed = new Promise<never>((_, reject) =>
      this.gone.signal.addEventListener('abort', () => reject(new LivecallError('LIVECALL_ERR_MEDIA_CLOSED', `endpoint ${this.id} closed while joining conference ${name}`)), { once: true }),
    )
    closed.catch(() => undefined)
    const member = await Promise.race([joining, closed]).catch((err: unknown) => {
      // a join that completes after the channel went: FreeSWITCH removed that member itself
      void joining.then((late) => late.channelClosed(), () => undefined)
      throw err
    })
    this.members.add(member)
    return member
  }

  stats(): MediaEndpointStats {
    // FreeSWITCH keeps the RTP counters (uuid_dump's rtp_audio_* variables); not polled per call
    return { state: this.state, codec: firstAudioCodec(this.fsLocalSdp), packetsReceived: 0, bytesReceived: 0, packetsSent: 0, bytesSent: 0, dropped: {} }
  }

  on<E extends keyof MediaEndpointEvents>(event: E, listener: MediaEndpointEvents[E]): this {
    this.events.on(event, listener)
    return this
  }

  off<E extends keyof MediaEndpointEvents>(event: E, listener: MediaEndpointEvents[E]): this {
    this.events.off(event, listener)
    return this
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.state = FsEndpointState.Closing
      this.gone.abort()
      this.closing = this.release(true)
    }
    return this.closing
  }

  private channelGone(): void {
    if (this.closing) return
    this.state = FsEndpointState.Closing
    this.gone.abort()
    this.closing = this.release(false)
  }

  private async release(hangup: boolean): Promise<void> {
    for (const l of this.listens) {
      if (hangup) await l.stop()
      else l.channelClosed()
    }
    for (const r of this.recordings) {
      if (hangup) await r.stop()
      else r.channelClosed()
    }
    for (const m of this.members) m.channelClosed()
    if (hangup) {
      let timer: NodeJS.Timeout | undefined
      let hungUp = false
      await Promise.race([
        this.channel.destroy().then(() => (hungUp = true), (err: unknown) => this.report(err, 'hangup')),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS))),
      ])
      clearTimeout(timer)
      // `hangup` is an application: it waits behind one that never returns (a prompt on a
      // channel without media was seen to). uuid_kill is an API command and does not wait;
      // it goes over the engine's socket, which answers when this channel's socket is dead
      // (at overload FreeSWITCH's writes to channel sockets failed with EPIPE, and endpoints
      // stayed open in livecall long after their calls).
      if (!hungUp) await this.kill(this.id).catch((err: unknown) => this.report(err, 'uuid_kill'))
    }
    this.state = FsEndpointState.Closed
    this.events.emit('close')
    this.events.clear()
  }

  /**
   * Both sides at once: each `set_mute` is an application, run on the channel's next frame;
   * sent one after another they are run in order (one socket, one session thread), and
   * awaited together they cost one frame instead of two.
   */
  private async applyMutes(sides: FsMuteSide[]): Promise<void> {
    await Promise.all(sides.map((side) => this.cmd.execute('set_mute', `${side} ${this.mutes.muted(side)}`)))
  }

  private assertOpen(): void {
    if (this.state !== FsEndpointState.Open) throw new LivecallError('LIVECALL_ERR_MEDIA_CLOSED', `endpoint ${this.id} is closed`)
  }
}
