import { CallFeatures } from '../../call/call-features.js'
import type { RecordingHandle } from '../../media/types.js'
import { mediaReady } from './media-ready.js'
import { checkRecordingPath, resolveRecordingPath } from './record/recording-path.js'
import { appInvalid } from './verb-errors.js'
import { optString } from './verb-options.js'
import type { VerbContext, VerbDefinition } from './verb.js'

/**
 * jambonz `record` (`{ "verb": "record", "path": "…" }`, its one property). livecall:
 * answer the call, start recording both directions (stereo WAV, 8 kHz 16-bit, left =
 * the caller, right = what the caller hears) into `path` inside RECORDINGS_DIR, and go
 * on with the next verb at once: the recording runs in the background until the call
 * ends. Then the file is closed with its final RIFF sizes and announced to the call's
 * status hook: the call description plus `recording: { path, duration_ms }`.
 * A `..` in `path`, or an absolute path outside RECORDINGS_DIR, is refused (appInvalid).
 */
export const record: VerbDefinition<{ path: string }> = {
  name: 'record',
  parse(data) {
    const path = optString(data, 'path')
    if (path === undefined) throw appInvalid('record needs a path')
    return { path: checkRecordingPath(path) }
  },
  async run(ctx, opts) {
    const endpoint = await mediaReady(ctx)
    const file = await resolveRecordingPath(ctx.deps.settings.recordingsDir, opts.path)
    const handle = await endpoint.startRecording({ path: file, format: 'wav' })
    const features = CallFeatures.of(ctx.call)
    features.recordings.add(handle)
    const finish = (): void => {
      features.recordings.delete(handle)
      void announce(ctx, handle)
    }
    if (ctx.call.signal.aborted) finish()
    else ctx.call.signal.addEventListener('abort', finish, { once: true })
  },
}

/** Stop (flush, patch the WAV header) and tell the status hook; never rejects. */
async function announce(ctx: VerbContext, handle: RecordingHandle): Promise<void> {
  try {
    const { path, durationMs } = await handle.stop()
    ctx.logger.info({ path, durationMs }, 'recording finished')
    const hook = ctx.call.statusHook
    if (hook) ctx.deps.webhooks.notifyOrdered(ctx.call.sid, hook, { ...ctx.call.describe(), recording: { path, duration_ms: durationMs } })
  } catch (err) {
    ctx.logger.warn({ err: (err as Error).message }, 'recording failed')
  }
}
