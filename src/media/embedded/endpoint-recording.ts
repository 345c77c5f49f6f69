import type { RecordingHandle, RecordingOptions } from '../types.js'
import type { EndpointFeatureHost } from './endpoint-feature-host.js'
import { startWavRecorder } from './record/index.js'

type RecordingHost = Pick<EndpointFeatureHost, 'stereo' | 'features'>

/**
 * A recording of an endpoint (`MediaEndpoint.startRecording`): a stereo WAV fed by the
 * endpoint's stereo feed, left = what the far end says, right = what it hears. The
 * handle's stop is idempotent (every call gets the same result) and is registered with
 * the endpoint, which ends the recording on close.
 */
export async function startEndpointRecording(host: RecordingHost, opts: RecordingOptions): Promise<RecordingHandle> {
  const rec = await startWavRecorder(opts)
  const removeFeed = host.stereo.add((caller, callee) => rec.push(caller, callee))
  let result: Promise<{ path: string; durationMs: number }> | null = null
  const stop = (): Promise<{ path: string; durationMs: number }> => {
    if (!result) {
      removeFeed()
      host.features.delete(stop)
      result = rec.stop()
    }
    return result
  }
  host.features.add(stop)
  return {
    pause: () => rec.pause(),
    resume: () => rec.resume(),
    get paused() {
      return rec.paused
    },
    stop,
  }
}
