/**
 * A recording on FreeSWITCH: mod_commands' `uuid_record`, both directions of the channel
 * into one stereo file on the FreeSWITCH host (docs/production.md: share RECORDINGS_DIR),
 * left = what the channel reads (the caller), right = what it writes (what the caller
 * hears), as the embedded engine records:
 *
 *           uuid_setvar <uuid> RECORD_STEREO true   (else FreeSWITCH mixes both into mono)
 *           uuid_setvar <uuid> RECORD_PRE_BUFFER_FRAMES 1
 *                   (FreeSWITCH holds back 25 frames by default and drops them when the
 *                   recording stops: a 1.2 s recording came out 0.72 s long)
 *   start   uuid_record <uuid> start <path>
 *   pause   uuid_record <uuid> mask <path>     (silence is written while masked)
 *   resume  uuid_record <uuid> unmask <path>
 *   stop    uuid_record <uuid> stop <path>
 *
 * States: recording ⇄ paused → stopped. durationMs is read from the closed file
 * (closed-wav.ts); wall-clock time from start to stop when livecall cannot read it.
 */
import type { RecordingHandle, RecordingOptions } from '../types.js'
import { closedWavDurationMs } from './closed-wav.js'
import type { FsCommands } from './fs-command.js'

/** how long to wait for FreeSWITCH to close the file after stop or hangup */
const CLOSE_WAIT_MS = 3000

export enum FsRecordingState {
  Recording = 'recording',
  Paused = 'paused',
  Stopped = 'stopped',
}

export class FsRecording implements RecordingHandle {
  private state = FsRecordingState.Recording
  private readonly started = Date.now()
  private stopped?: Promise<{ path: string; durationMs: number }>

  private constructor(private readonly cmd: FsCommands, private readonly uuid: string, readonly path: string, private readonly onError: (err: unknown) => void) {}

  static async start(cmd: FsCommands, uuid: string, opts: RecordingOptions, onError: (err: unknown) => void): Promise<FsRecording> {
    await cmd.api('uuid_setvar', `${uuid} RECORD_STEREO true`)
    await cmd.api('uuid_setvar', `${uuid} RECORD_PRE_BUFFER_FRAMES 1`)
    await cmd.api('uuid_record', `${uuid} start ${opts.path}`)
    return new FsRecording(cmd, uuid, opts.path, onError)
  }

  get paused(): boolean {
    return this.state === FsRecordingState.Paused
  }

  pause(): void {
    if (this.state !== FsRecordingState.Recording) return
    this.state = FsRecordingState.Paused
    this.cmd.api('uuid_record', `${this.uuid} mask ${this.path}`).catch(this.onError)
  }

  resume(): void {
    if (this.state !== FsRecordingState.Paused) return
    this.state = FsRecordingState.Recording
    this.cmd.api('uuid_record', `${this.uuid} unmask ${this.path}`).catch(this.onError)
  }

  stop(): Promise<{ path: string; durationMs: number }> {
    if (!this.stopped) {
      this.state = FsRecordingState.Stopped
      const wallMs = Date.now() - this.started
      this.stopped = this.cmd.api('uuid_record', `${this.uuid} stop ${this.path}`)
        .catch(this.onError)
        .then(() => this.closed(wallMs))
    }
    return this.stopped
  }

  /** the channel hung up: FreeSWITCH closed the file itself */
  channelClosed(): void {
    if (!this.stopped) {
      this.state = FsRecordingState.Stopped
      this.stopped = this.closed(Date.now() - this.started)
    }
  }

  private async closed(wallMs: number): Promise<{ path: string; durationMs: number }> {
    const fileMs = await closedWavDurationMs(this.path, CLOSE_WAIT_MS)
    return { path: this.path, durationMs: fileMs ?? wallMs }
  }
}
