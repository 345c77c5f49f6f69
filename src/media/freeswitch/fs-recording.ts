/**
 * A recording on FreeSWITCH: mod_commands' `uuid_record`, both directions of the channel
 * into one file on the FreeSWITCH host (docs/production.md: share RECORDINGS_DIR):
 *
 *   start   uuid_record <uuid> start <path>
 *   pause   uuid_record <uuid> mask <path>     (silence is written while masked)
 *   resume  uuid_record <uuid> unmask <path>
 *   stop    uuid_record <uuid> stop <path>
 *
 * States: recording ⇄ paused → stopped. durationMs is wall-clock time from start to stop.
 */
import type { RecordingHandle, RecordingOptions } from '../types.js'
import type { FsCommands } from './fs-command.js'

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
      const durationMs = Date.now() - this.started
      this.stopped = this.cmd.api('uuid_record', `${this.uuid} stop ${this.path}`)
        .catch(this.onError)
        .then(() => ({ path: this.path, durationMs }))
    }
    return this.stopped
  }

  /** the channel hung up: FreeSWITCH closed the file itself */
  channelClosed(): void {
    if (!this.stopped) {
      this.state = FsRecordingState.Stopped
      this.stopped = Promise.resolve({ path: this.path, durationMs: Date.now() - this.started })
    }
  }
}
