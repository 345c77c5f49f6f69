/**
 * A listen on FreeSWITCH: mod_audio_fork's `uuid_audio_fork`, always with a bug name, so
 * that two forks on one channel (a listen and a transcription, say) never stop or pause
 * each other:
 *
 *   start   uuid_audio_fork ^^|<uuid>|start|<url>|<mix>|<rate>|<bug>|'<metadata>'
 *           (+ |<enabled>|<streaming>|<rate> for streamed bidirectionalAudio, drachtio-fsmrf's forkAudioStart:
 *           only jambonz's mod_audio_fork reads those; the open-source one in drachtio's
 *           freeswitch-modules takes everything after the bug name as the metadata text),
 *           then, unless bridged, `uuid_setvar <uuid> send_silence_when_idle -1` and
 *           `uuid_transfer <uuid> park inline` (writeFramesWhenIdle)
 *   pause   uuid_audio_fork <uuid> pause <bug> blank
 *   resume  uuid_audio_fork <uuid> resume <bug>
 *   stop    uuid_audio_fork <uuid> stop <bug>
 *
 * States: running ⇄ paused → ended (stopped, maxLength, far side closed, channel gone).
 * Timer `maxLength` is cleared when the listen ends.
 */
import type { ListenHandle, ListenOptions } from '../types.js'
import { fsCommands } from './fs-command.js'
import type { FsmrfEndpoint } from './fsmrf.js'

export enum FsListenState {
  Running = 'running',
  Paused = 'paused',
  Ended = 'ended',
}

type DoneInfo = Awaited<ListenHandle['done']>

let bugSeq = 0
/** a bug name unique in this process: `livecall_listen_<n>` */
export function nextListenBugName(): string {
  return `livecall_listen_${++bugSeq}`
}

/**
 * jambonz's mod_audio_fork plays the audio a websocket streams back by replacing the frames
 * FreeSWITCH writes to the channel: a channel that writes none (parked, nothing playing, not
 * bridged) gives the caller nothing (measured: 0 RTP packets while the websocket sent 2 s of
 * tone). Parked channels write silence frames only with `send_silence_when_idle`, read when
 * park starts — so set it and park again. Not on a bridged channel: the bridge writes frames.
 */
async function writeFramesWhenIdle(ep: FsmrfEndpoint): Promise<void> {
  if (await fsCommands(ep).getVar(ep.uuid, 'bridge_to')) return
  await ep.api('uuid_setvar', `${ep.uuid} send_silence_when_idle -1`)
  await ep.api('uuid_transfer', `${ep.uuid} park inline`)
}

export class FsListen implements ListenHandle {
  private state = FsListenState.Running
  private timers: { maxLength?: NodeJS.Timeout } = {}
  private settle!: (info: DoneInfo) => void
  readonly done: Promise<DoneInfo> = new Promise((resolve) => (this.settle = resolve))
  private readonly onDisconnect = (): void => this.end({ reason: 'closed' })

  private constructor(private readonly ep: FsmrfEndpoint, readonly bugName: string, private readonly onError: (err: unknown) => void) {}

  static async start(ep: FsmrfEndpoint, opts: ListenOptions, onError: (err: unknown) => void): Promise<FsListen> {
    const listen = new FsListen(ep, nextListenBugName(), onError)
    const mixType = opts.mixType ?? 'mono'
    const sampleRate = opts.sampleRate ?? 8000
    // the first text frame, as the embedded engine sends it (SPEC §7): the call's attributes, metadata, sampleRate, mixType
    const metadata = { ...(opts.metadata ?? {}), sampleRate, mixType }
    if (opts.bidirectionalAudio?.streaming) {
      await ep.forkAudioStart({
        wsUrl: opts.url, mixType, sampling: String(sampleRate), bugname: listen.bugName, metadata,
        bidirectionalAudio: { enabled: opts.bidirectionalAudio.enabled, streaming: opts.bidirectionalAudio.streaming, sampleRate: opts.bidirectionalAudio.sampleRate },
      })
      await writeFramesWhenIdle(ep)
    } else {
      const args = [ep.uuid, 'start', opts.url, mixType, String(sampleRate), listen.bugName, `'${JSON.stringify(metadata)}'`]
      const res = await ep.api('uuid_audio_fork', `^^|${args.join('|')}`)
      const body = res.getBody()
      if (!body.startsWith('+OK')) throw new Error(`uuid_audio_fork refused: ${body.trim()}`)
    }
    ep.on('mod_audio_fork::disconnect', listen.onDisconnect)
    // uuid_audio_fork answers +OK before it connects: a websocket that cannot be reached ends the listen here
    ep.on('mod_audio_fork::connect_failed', listen.onDisconnect)
    if (opts.maxLengthMs) listen.timers.maxLength = setTimeout(() => void listen.finish('maxLength'), opts.maxLengthMs)
    return listen
  }

  get paused(): boolean {
    return this.state === FsListenState.Paused
  }

  pause(): void {
    if (this.state !== FsListenState.Running) return
    this.state = FsListenState.Paused
    this.ep.forkAudioPause(this.bugName, false).catch(this.onError)
  }

  resume(): void {
    if (this.state !== FsListenState.Paused) return
    this.state = FsListenState.Running
    this.ep.forkAudioResume(this.bugName).catch(this.onError)
  }

  async stop(): Promise<void> {
    await this.finish('stopped')
  }

  /** the channel is gone: nothing to send, just settle */
  channelClosed(): void {
    this.end({ reason: 'closed' })
  }

  private async finish(reason: 'stopped' | 'maxLength'): Promise<void> {
    if (this.state === FsListenState.Ended) return
    this.end({ reason })
    await this.ep.forkAudioStop(this.bugName).catch(this.onError)
  }

  private end(info: DoneInfo): void {
    if (this.state === FsListenState.Ended) return
    this.state = FsListenState.Ended
    clearTimeout(this.timers.maxLength)
    this.settle(info)
  }
}
