import type { PlayResult, PlaySource } from '../types.js'
import type { EndpointFeatureHost } from './endpoint-feature-host.js'
import { loopCount, PromptPlayback } from './prompt-playback.js'
import { OutgoingSource } from './rtp/outgoing-stream.js'

type PromptHost = Pick<EndpointFeatureHost, 'pacer' | 'loadAudio' | 'closing' | 'isClosed' | 'currentSource' | 'refreshSource' | 'tooSoonToStart' | 'sendLocalFrame'>

/**
 * An endpoint's prompt slot (`MediaEndpoint.play`): the whole prompt is loaded as 8 kHz
 * PCM, then sent one 20 ms frame per tick of the engine's pacer. While it plays, the
 * prompt owns the endpoint's outgoing stream (the bridged party, a live stream or a
 * conference mix wait); when it ends the endpoint picks its source again. A new play
 * replaces the one playing (which resolves as aborted), and the caller's AbortSignal or
 * the endpoint closing stops it at once.
 */
export class EndpointPrompt {
  private current: { playback: PromptPlayback; stop: (aborted: boolean) => void } | null = null

  constructor(private readonly host: PromptHost) {}

  /** A prompt owns the outgoing stream. */
  get playing(): boolean {
    return this.current !== null
  }

  async play(source: PlaySource, signal?: AbortSignal): Promise<PlayResult> {
    const host = this.host
    const stop = AbortSignal.any(signal ? [signal, host.closing] : [host.closing])
    if (stop.aborted) return { aborted: true, playedMs: 0 }
    let pcm: Int16Array
    try {
      pcm = await host.loadAudio(source, { signal: stop })
    } catch (err) {
      if (stop.aborted) return { aborted: true, playedMs: 0 }
      throw err
    }
    if (stop.aborted) return { aborted: true, playedMs: 0 }
    const loops = 'loop' in source ? loopCount(source.loop) : 1
    const playback = new PromptPlayback(pcm, loops)
    this.current?.stop(true) // a new prompt replaces the one playing
    return new Promise<PlayResult>((resolve) => {
      const finish = (aborted: boolean): void => {
        removeClient()
        stop.removeEventListener('abort', onAbort)
        if (this.current?.playback === playback) {
          this.current = null
          if (!host.isClosed()) host.refreshSource()
        }
        resolve({ aborted, playedMs: playback.playedMs })
      }
      const onAbort = (): void => finish(true)
      const removeClient = host.pacer.add(() => this.sendFrame(playback, finish))
      stop.addEventListener('abort', onAbort, { once: true })
      this.current = { playback, stop: finish }
      host.refreshSource()
    })
  }

  /** Ends the prompt playing, if any, as aborted (the endpoint is closing). */
  stop(): void {
    this.current?.stop(true)
    this.current = null
  }

  /** One pacer tick of the current prompt. */
  private sendFrame(playback: PromptPlayback, finish: (aborted: boolean) => void): void {
    // an RFC 4733 event we send owns the stream: the prompt waits (sendDigits)
    if (this.host.currentSource() === OutgoingSource.Digits) return
    // the bridged party's last packet is still playing: start on the next tick, from the first frame
    if (this.host.tooSoonToStart(OutgoingSource.Prompt)) return
    const frame = playback.nextFrame()
    if (frame === null) return finish(false)
    this.host.sendLocalFrame(frame, OutgoingSource.Prompt)
  }
}
