import type { ListenHandle, ListenOptions } from '../types.js'
import type { EndpointFeatureHost } from './endpoint-feature-host.js'
import { startListenForker } from './listen/index.js'
import { LiveAudioQueue } from './live-audio-queue.js'
import { OutgoingSource } from './rtp/outgoing-stream.js'

type ListenHost = Pick<
  EndpointFeatureHost,
  'id' | 'logger' | 'pacer' | 'stereo' | 'features' | 'isClosed' | 'currentSource' | 'refreshSource' | 'tooSoonToStart' | 'sendLocalFrame'
>

/**
 * An endpoint's listens (SPEC §7, `MediaEndpoint.startListen`): each forks the
 * endpoint's audio to a websocket through the stereo feed — caller = what the far end
 * says, callee = what it hears. A bidirectional listen's audio from the socket waits in
 * one live queue per endpoint and is played to the far end one frame per pacer tick
 * (over the bridged party, under prompts) until the socket sends killAudio or stops.
 * Every listen registers its stop with the endpoint, which ends it on close.
 */
export class EndpointListen {
  /** audio a listen's far side sends back, played to our far end */
  private readonly live = new LiveAudioQueue()
  /** bidirectional listens running: they share the queue and ONE pacer client */
  private bidirectional = 0
  private removeLive: (() => void) | null = null

  constructor(private readonly host: ListenHost) {}

  /** Live audio is waiting: it owns the outgoing stream unless a prompt plays. */
  get hasLiveAudio(): boolean {
    return !this.live.empty
  }

  start(opts: ListenOptions): ListenHandle {
    const host = this.host
    const fork = startListenForker(opts, {
      onListenerError: (event, err) => host.logger.warn({ err, endpoint: host.id, event }, 'listen listener threw'),
    })
    const removeFeed = host.stereo.add((caller, callee) => fork.push(caller, callee))
    const bidirectional = opts.bidirectionalAudio?.enabled === true
    if (bidirectional) {
      if (this.bidirectional++ === 0) this.removeLive = host.pacer.add(this.sendLiveFrame)
      fork.on('audio', (frame) => this.live.push(frame))
      fork.on('killAudio', () => {
        this.live.clear()
        host.refreshSource()
      })
    }
    const stop = (): Promise<void> => fork.stop()
    host.features.add(stop)
    void fork.done.then(() => {
      removeFeed()
      // the last bidirectional listen to end stops the live audio (not the first: the others still talk)
      if (bidirectional && --this.bidirectional === 0) {
        this.removeLive?.()
        this.removeLive = null
        this.live.clear()
      }
      host.features.delete(stop)
      if (!host.isClosed()) host.refreshSource()
    })
    return fork
  }

  /** Drop the live audio still queued (the endpoint is closing). */
  clear(): void {
    this.live.clear()
  }

  /** Pacer tick while a bidirectional listen is on: one frame of its audio, if any. */
  private readonly sendLiveFrame = (): void => {
    if (this.host.currentSource() === OutgoingSource.Prompt || this.live.empty) return
    if (this.host.tooSoonToStart(OutgoingSource.Stream)) return // keep the frame for the next tick
    const frame = this.live.shift()!
    this.host.sendLocalFrame(frame, OutgoingSource.Stream)
    if (this.live.empty) this.host.refreshSource()
  }
}
