import type { MediaEndpoint, PlaySource } from '../../../media/types.js'

/** Play `sources` in order, again and again, until `signal` aborts (hold music); never rejects. */
export async function playLoop(endpoint: MediaEndpoint, sources: PlaySource[], signal: AbortSignal): Promise<void> {
  try {
    while (!signal.aborted && !endpoint.closed && sources.length > 0) {
      for (const source of sources) {
        if (signal.aborted) return
        await endpoint.play(source, signal)
      }
    }
  } catch {
    /* the endpoint closed or a source failed: the music just stops */
  }
}

/** Play `sources` once, in order, until done or aborted; never rejects. */
export async function playOnce(endpoint: MediaEndpoint, sources: PlaySource[], signal: AbortSignal): Promise<void> {
  try {
    for (const source of sources) {
      if (signal.aborted || endpoint.closed) return
      await endpoint.play(source, signal)
    }
  } catch {
    /* the endpoint closed or a source failed */
  }
}
