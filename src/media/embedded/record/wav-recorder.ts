import { createWriteStream, type WriteStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { LivecallError } from '../../../errors/livecall-error.js'
import type { RecordingHandle, RecordingOptions } from '../../types.js'
import { WAV_HEADER_BYTES, WAV_MAX_DATA_BYTES, wavHeader } from './wav-header.js'

/**
 * Recorder lifecycle:
 *
 *   Recording ⇄ Paused            (pause()/resume(): paused time is not in the file)
 *   Recording|Paused ──stop()──▶ Stopping ──header patched──▶ Stopped
 *   any ──write error──▶ Failed   (push() ignores; stop() rejects)
 */
export enum WavRecorderState {
  Recording = 'recording',
  Paused = 'paused',
  Stopping = 'stopping',
  Stopped = 'stopped',
  Failed = 'failed',
}

export interface WavRecorderOptions extends RecordingOptions {
  /** frames gathered before one disk write; default 50 (1 s, 32 kB) */
  framesPerWrite?: number
  /** if the disk falls this many bytes behind, frames are dropped (and counted); default 10 s of audio */
  maxPendingBytes?: number
}

export interface WavRecorderStats {
  framesWritten: number
  /** frames dropped because the disk was too slow, or the 4 GB WAV limit was reached */
  framesDropped: number
  /** frames of a length other than 160 (padded / cut to 160) */
  framesMalformed: number
}

export interface WavRecorder extends RecordingHandle {
  readonly state: WavRecorderState
  /** one 20 ms tick: left = caller, right = callee; null = silence on that channel */
  push(left: Int16Array | null, right: Int16Array | null): void
  stats(): WavRecorderStats
}

const SAMPLE_RATE = 8000
const FRAME_SAMPLES = 160
const CHANNELS = 2
const FRAME_BYTES = FRAME_SAMPLES * CHANNELS * 2
const FRAME_MS = 20

/**
 * Start a stereo WAV recording (8 kHz, 16-bit, caller left / callee right), streamed to
 * disk: a placeholder header is written first and patched with the final sizes on stop.
 * Memory is bounded by framesPerWrite + maxPendingBytes whatever the call length.
 * Rejects with LIVECALL_ERR_RECORDING_FAILED if the file cannot be created.
 */
export async function startWavRecorder(opts: WavRecorderOptions): Promise<WavRecorder> {
  if (opts.format && opts.format !== 'wav') {
    throw new LivecallError('LIVECALL_ERR_RECORDING_FORMAT', `recording format ${String(opts.format)} is not supported`, 400)
  }
  const stream = createWriteStream(opts.path, { flags: 'w' })
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve())
    stream.once('error', (err) => reject(new LivecallError('LIVECALL_ERR_RECORDING_FAILED', `cannot create ${opts.path}: ${err.message}`, 500, { cause: err })))
  })
  return new StreamingWavRecorder(opts, stream)
}

class StreamingWavRecorder implements WavRecorder {
  private stateValue = WavRecorderState.Recording
  private readonly framesPerWrite: number
  private readonly maxPendingBytes: number
  private batch: Buffer
  private batchFrames = 0
  private dataBytes = 0
  private error: Error | null = null
  private readonly counters = { framesWritten: 0, framesDropped: 0, framesMalformed: 0 }
  private stopping: Promise<{ path: string; durationMs: number }> | null = null

  constructor(
    private readonly opts: WavRecorderOptions,
    private readonly stream: WriteStream,
  ) {
    this.framesPerWrite = Math.max(1, opts.framesPerWrite ?? 50)
    this.maxPendingBytes = opts.maxPendingBytes ?? FRAME_BYTES * 500
    this.batch = Buffer.alloc(this.framesPerWrite * FRAME_BYTES)
    stream.on('error', (err) => this.fail(err))
    stream.write(wavHeader({ sampleRate: SAMPLE_RATE, channels: CHANNELS, bitsPerSample: 16 }, 0))
  }

  get state(): WavRecorderState {
    return this.stateValue
  }

  get paused(): boolean {
    return this.stateValue === WavRecorderState.Paused
  }

  stats(): WavRecorderStats {
    return { ...this.counters }
  }

  push(left: Int16Array | null, right: Int16Array | null): void {
    if (this.stateValue !== WavRecorderState.Recording) return
    try {
      if (this.dataBytes + (this.batchFrames + 1) * FRAME_BYTES > WAV_MAX_DATA_BYTES) {
        this.counters.framesDropped++
        return
      }
      if ((left && left.length !== FRAME_SAMPLES) || (right && right.length !== FRAME_SAMPLES)) this.counters.framesMalformed++
      const base = this.batchFrames * FRAME_BYTES
      for (let i = 0; i < FRAME_SAMPLES; i++) {
        this.batch.writeInt16LE(left && i < left.length ? left[i] : 0, base + i * 4)
        this.batch.writeInt16LE(right && i < right.length ? right[i] : 0, base + i * 4 + 2)
      }
      this.batchFrames++
      if (this.batchFrames === this.framesPerWrite) this.flush()
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)))
    }
  }

  pause(): void {
    if (this.stateValue === WavRecorderState.Recording) this.transition(WavRecorderState.Paused)
  }

  resume(): void {
    if (this.stateValue === WavRecorderState.Paused) this.transition(WavRecorderState.Recording)
  }

  stop(): Promise<{ path: string; durationMs: number }> {
    if (!this.stopping) this.stopping = this.finalize()
    return this.stopping
  }

  private async finalize(): Promise<{ path: string; durationMs: number }> {
    if (this.stateValue === WavRecorderState.Recording || this.stateValue === WavRecorderState.Paused) {
      this.flush()
      this.transition(WavRecorderState.Stopping)
    }
    await new Promise<void>((resolve) => {
      if (this.stream.closed) return resolve()
      this.stream.once('close', () => resolve())
      this.stream.end()
    })
    if (this.error) throw this.recordingError(this.error)
    try {
      // RIFF sizes are only known now: patch the placeholder header in place
      const fh = await open(this.opts.path, 'r+')
      try {
        await fh.write(wavHeader({ sampleRate: SAMPLE_RATE, channels: CHANNELS, bitsPerSample: 16 }, this.dataBytes), 0, WAV_HEADER_BYTES, 0)
      } finally {
        await fh.close()
      }
    } catch (err) {
      this.transition(WavRecorderState.Failed)
      throw this.recordingError(err as Error)
    }
    this.transition(WavRecorderState.Stopped)
    return { path: this.opts.path, durationMs: (this.dataBytes / FRAME_BYTES) * FRAME_MS }
  }

  /** Hand the gathered frames to the stream, unless the disk is already too far behind. */
  private flush(): void {
    if (this.batchFrames === 0 || this.error) return
    const frames = this.batchFrames
    this.batchFrames = 0
    if (this.stream.writableLength > this.maxPendingBytes) {
      this.counters.framesDropped += frames
      return
    }
    const chunk = this.batch.subarray(0, frames * FRAME_BYTES)
    // the stream keeps a reference until written: give the next batch its own buffer
    this.batch = Buffer.alloc(this.framesPerWrite * FRAME_BYTES)
    this.stream.write(chunk)
    this.dataBytes += chunk.length
    this.counters.framesWritten += frames
  }

  private fail(err: Error): void {
    if (!this.error) this.error = err
    if (this.stateValue !== WavRecorderState.Stopped) this.transition(WavRecorderState.Failed)
    this.stream.destroy()
  }

  private recordingError(err: Error): LivecallError {
    return new LivecallError('LIVECALL_ERR_RECORDING_FAILED', `recording ${this.opts.path} failed: ${err.message}`, 500, { cause: err })
  }

  private transition(next: WavRecorderState): void {
    if (this.stateValue === WavRecorderState.Stopped || this.stateValue === WavRecorderState.Failed) return
    this.stateValue = next
  }
}
