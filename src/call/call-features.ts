import type { ListenHandle, RecordingHandle } from '../media/types.js'
import type { Call } from './call.js'

/**
 * The media features running on a call right now, reachable from the call without
 * putting flags on it: the live-call-control API finds the listen to pause/resume
 * (SPEC §5 `listen_status`) and the recordings to stop here. Verbs register what they
 * start and unregister it when it ends; a call's holder lives as long as the Call object
 * (a WeakMap entry, so nothing outlives the call).
 */
export class CallFeatures {
  private static readonly byCall = new WeakMap<Call, CallFeatures>()

  /** the active listen: a top-level `listen` verb or the one nested in `dial` */
  private listenValue: ListenHandle | undefined
  /** recordings started by `record` (or the API), until they are stopped */
  readonly recordings = new Set<RecordingHandle>()
  /** the recording the control API started (SPEC §5 `record`), until it is stopped */
  apiRecording: RecordingHandle | undefined
  /** the whisper playing to this party now; aborting it ends the whisper */
  whisper: AbortController | undefined
  /** set while the control API holds this party (SPEC §5 `hold_status`): aborting `music` stops the wait_hook audio */
  apiHold: { music: AbortController } | undefined

  static of(call: Call): CallFeatures {
    let features = CallFeatures.byCall.get(call)
    if (!features) {
      features = new CallFeatures()
      CallFeatures.byCall.set(call, features)
    }
    return features
  }

  get listen(): ListenHandle | undefined {
    return this.listenValue
  }

  /** `handle` becomes the active listen until it ends (then the slot empties, unless another listen took it). */
  setListen(handle: ListenHandle): void {
    this.listenValue = handle
    void handle.done.then(() => {
      if (this.listenValue === handle) this.listenValue = undefined
    })
  }
}
