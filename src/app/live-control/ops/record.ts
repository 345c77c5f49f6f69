import { join } from 'node:path'
import type { Call } from '../../../call/call.js'
import { CallFeatures } from '../../../call/call-features.js'
import { LivecallError } from '../../../errors/index.js'
import type { UpdateOutcome } from '../call-update.js'
import { conflict } from '../conflict.js'
import type { LiveContext } from '../live-context.js'

/**
 * record (extension): start / pause / resume / stop a recording of the call (both
 * directions, WAV) in RECORDINGS_DIR, named after the call sid. The finished file is
 * announced to the status hook (`recording: { path, duration_ms }`) on stop, or when the
 * call ends first.
 */
export async function applyRecord(ctx: LiveContext, call: Call, action: 'start' | 'stop' | 'pause' | 'resume', format: 'wav' | 'mp3'): Promise<UpdateOutcome> {
  if (!call.answered) throw conflict(`record needs an answered call; this one is ${call.state}`)
  const features = CallFeatures.of(call)
  const current = features.apiRecording
  switch (action) {
    case 'start': {
      if (format !== 'wav') throw new LivecallError('LIVECALL_ERR_RECORDING_FORMAT', 'record.format mp3 is not available in this build; use wav')
      if (current) throw conflict('a recording is already running on this call')
      const path = join(ctx.deps.settings.recordingsDir, `${call.sid}-${Date.now()}.wav`)
      const handle = await call.requireEndpoint().startRecording({ path, format: 'wav' })
      features.apiRecording = handle
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
    if (call.statusHook) ctx.deps.webhooks.notifyOrdered(call.sid, call.statusHook, { ...call.describe(), recording })
    return recording
  } catch (err) {
    call.logger.warn({ err: (err as Error).message }, 'recording failed')
    return undefined
  }
}
