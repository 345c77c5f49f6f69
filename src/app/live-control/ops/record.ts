import { join } from 'node:path'
import type { Call } from '../../../call/call.js'
import { CallFeatures } from '../../../call/call-features.js'
import type { RecordingHandle } from '../../../media/types.js'
import { wavFileToMp3 } from '../../../media/mp3-encode.js'
import { reportStatus } from '../../status-events.js'
import type { UpdateOutcome } from '../call-update.js'
import { conflict } from '../conflict.js'
import type { LiveContext } from '../live-context.js'

/**
 * record (extension): start / pause / resume / stop a recording of the call (both
 * directions) in RECORDINGS_DIR, named after the call sid: WAV, or MP3 (the WAV the
 * recording leaves is encoded once it stops, then removed). The finished file is
 * announced to the status hook (`recording: { path, duration_ms }`) on stop, or when the
 * call ends first.
 */
export async function applyRecord(ctx: LiveContext, call: Call, action: 'start' | 'stop' | 'pause' | 'resume', format: 'wav' | 'mp3'): Promise<UpdateOutcome> {
  if (!call.answered) throw conflict(`record needs an answered call; this one is ${call.state}`)
  const features = CallFeatures.of(call)
  const current = features.apiRecording
  switch (action) {
    case 'start': {
      if (current) throw conflict('a recording is already running on this call')
      const base = join(ctx.deps.settings.recordingsDir, `${call.sid}-${Date.now()}`)
      const handle = await call.requireEndpoint().startRecording({ path: `${base}.wav`, format: 'wav' })
      const path = `${base}.${format}`
      features.apiRecording = format === 'mp3' ? encodedOnStop(handle, path) : handle
      const onEnd = () => void finish(ctx, call)
      call.signal.addEventListener('abort', onEnd, { once: true })
      return { recording: { path } }
    }
    case 'pause':
    case 'resume':
      if (!current) throw conflict(`record ${action} needs a running recording`)
      if (action === 'pause') current.pause()
      else current.resume()
      return {}
    case 'stop': {
      if (!current) throw conflict('record stop needs a running recording')
      const done = await finish(ctx, call)
      return done ? { recording: done } : {}
    }
  }
}

async function finish(ctx: LiveContext, call: Call): Promise<{ path: string; duration_ms: number } | undefined> {
  const features = CallFeatures.of(call)
  const handle = features.apiRecording
  if (!handle) return undefined
  features.apiRecording = undefined
  try {
    const { path, durationMs } = await handle.stop()
    const recording = { path, duration_ms: durationMs }
    reportStatus(ctx.deps.webhooks, call, { type: 'recording', description: call.describe(), recording })
    return recording
  } catch (err) {
    call.logger.warn({ err: (err as Error).message }, 'recording failed')
    return undefined
  }
}

/** The recording as MP3: stopping it stops the WAV recording, then encodes it to `mp3Path`. */
function encodedOnStop(wav: RecordingHandle, mp3Path: string): RecordingHandle {
  return {
    pause: () => wav.pause(),
    resume: () => wav.resume(),
    get paused() {
      return wav.paused
    },
    async stop() {
      const { path, durationMs } = await wav.stop()
      await wavFileToMp3(path, mp3Path)
      return { path: mp3Path, durationMs }
    },
  }
}
