import WebSocket from 'ws'
import { LivecallError } from '../../../errors/livecall-error.js'
import type { ListenHandle, ListenOptions } from '../../types.js'
import { SafeEmitter } from '../safe-emitter.js'
import { BidirectionalAudioDecoder } from './bidirectional-audio-decoder.js'
import { ListenFrameEncoder, type ListenMixType, type ListenSampleRate } from './listen-frame-encoder.js'

/** jambonz listen / mod_audio_fork websocket subprotocol (SPEC §7) */
export const LISTEN_SUBPROTOCOL = 'audio.jambonz.org'

/**
 * Connection lifecycle (independent of pause/resume, see {@link ListenFlow}):
 *
 *   Connecting ──open──▶ Open ──stop() / far side closes / maxLength / error──▶ Ended
 *   Connecting ──error / Timer "connect" / stop() / maxLength──▶ Ended
 *
 * Ended is final; `done` resolves once, with the reason of the first way out.
 */
export enum ListenState {
  Connecting = 'connecting',
  Open = 'open',
  Ended = 'ended',
}

/** SPEC §5 listen_status: Streaming ⇄ Paused; the socket stays open while paused. */
export enum ListenFlow {
  Streaming = 'streaming',
  Paused = 'paused',
}

export type ListenEndReason = 'stopped' | 'closed' | 'maxLength' | 'error'
export interface ListenDone {
  reason: ListenEndReason
  error?: Error
}

export interface ListenForkerEvents {
  /** 20 ms of 8 kHz audio sent back by the far side, to be played to the caller */
  audio: (pcm8k: Int16Array) => void
  /** the far side asked to drop the audio it sent and that is not played yet (jambonz `killAudio`) */
  killAudio: () => void
  /** any other JSON text message from the far side (jambonz `mark`, …) */
  message: (msg: Record<string, unknown>) => void
}

export interface ListenForkerStats {
  framesSent: number
  bytesSent: number
  /** frames dropped because the socket had more than `maxBufferedMs` unsent */
  framesDroppedBackpressure: number
  /** frames dropped because more than `maxQueuedMs` piled up while connecting */
  framesDroppedConnecting: number
  /** 8 kHz frames decoded from the far side's audio */
  audioFramesReceived: number
  /** text messages that were not JSON objects, and binary audio while bidirectional audio is off */
  messagesIgnored: number
  listenerErrors: number
  bufferedAmount: number
}

export interface ListenForker extends ListenHandle {
  readonly state: ListenState
  /** One 20 ms tick: what the caller and the callee said (null = no audio → silence). Never throws. */
  push(caller: Int16Array | null, callee: Int16Array | null): void
  /** Send a JSON text frame (e.g. a DTMF event); false if the socket is not open. Never throws. */
  sendJson(msg: Record<string, unknown>): boolean
  on<E extends keyof ListenForkerEvents>(event: E, listener: ListenForkerEvents[E]): this
  off<E extends keyof ListenForkerEvents>(event: E, listener: ListenForkerEvents[E]): this
  stats(): ListenForkerStats
}

export interface ListenForkerDeps {
  /** the `ws` WebSocket class, replaceable in tests */
  WebSocket?: typeof WebSocket
  /** told about listener errors (already counted in stats) */
  onListenerError?: (event: string, err: unknown) => void
}

export interface ListenForkerTuning {
  /** Timer "connect": give up when the websocket is not open after this long; default 5000 ms */
  connectTimeoutMs?: number
  /** drop frames while the socket has more than this much audio unsent; default 1000 ms */
  maxBufferedMs?: number
  /** frames kept while connecting (the oldest go first); default 1000 ms */
  maxQueuedMs?: number
  /** Timer "closeWait": how long stop() waits for the close handshake before terminating; default 1000 ms */
  closeWaitMs?: number
}

const FRAME_MS = 20

/**
 * Start forking a call's audio to a websocket with the jambonz listen protocol (SPEC §7):
 * subprotocol `audio.jambonz.org`, one JSON text frame (opts.metadata plus `sampleRate`
 * and `mixType`, ours winning), then one binary frame per 20 ms tick. Never throws: an
 * invalid URL or a failed connection resolves `done` with reason 'error'.
 *
 * A slow or dead consumer never disturbs the call: push() is synchronous and O(1) in the
 * backlog; at most `maxBufferedMs` of audio waits in the socket and `maxQueuedMs` while
 * connecting; everything beyond is dropped and counted.
 */
export function startListenForker(opts: ListenOptions & ListenForkerTuning, deps: ListenForkerDeps = {}): ListenForker {
  return new WebSocketListenForker(opts, deps)
}

class WebSocketListenForker implements ListenForker {
  private stateValue = ListenState.Connecting
  private flow = ListenFlow.Streaming
  private readonly ws: WebSocket | null = null
  private readonly encoder: ListenFrameEncoder
  private readonly decoder: BidirectionalAudioDecoder | null
  private readonly events: SafeEmitter<ListenForkerEvents>
  private readonly timers: { connect: NodeJS.Timeout | null; maxLength: NodeJS.Timeout | null; closeWait: NodeJS.Timeout | null } = {
    connect: null,
    maxLength: null,
    closeWait: null,
  }
  private readonly maxBufferedBytes: number
  private readonly maxQueuedFrames: number
  private readonly closeWaitMs: number
  private queued: Buffer[] = []
  private readonly counters = {
    framesSent: 0,
    bytesSent: 0,
    framesDroppedBackpressure: 0,
    framesDroppedConnecting: 0,
    audioFramesReceived: 0,
    messagesIgnored: 0,
    listenerErrors: 0,
  }
  private resolveDone!: (d: ListenDone) => void
  readonly done: Promise<ListenDone>
  private readonly socketClosed: Promise<void>
  private resolveSocketClosed!: () => void

  constructor(
    private readonly opts: ListenOptions & ListenForkerTuning,
    deps: ListenForkerDeps,
  ) {
    this.done = new Promise<ListenDone>((r) => (this.resolveDone = r))
    this.socketClosed = new Promise<void>((r) => (this.resolveSocketClosed = r))
    const sampleRate: ListenSampleRate = opts.sampleRate === 16000 ? 16000 : 8000
    const mixType: ListenMixType = opts.mixType === 'stereo' || opts.mixType === 'mixed' ? opts.mixType : 'mono'
    this.encoder = new ListenFrameEncoder(sampleRate, mixType)
    const bidi = opts.bidirectionalAudio
    this.decoder = bidi?.enabled ? new BidirectionalAudioDecoder(validRate(bidi.sampleRate) ?? sampleRate) : null
    this.events = new SafeEmitter<ListenForkerEvents>((event, err) => {
      this.counters.listenerErrors++
      deps.onListenerError?.(event, err)
    })
    this.maxBufferedBytes = Math.max(1, Math.round((opts.maxBufferedMs ?? 1000) / FRAME_MS)) * this.encoder.bytesPerFrame
    this.maxQueuedFrames = Math.max(0, Math.round((opts.maxQueuedMs ?? 1000) / FRAME_MS))
    this.closeWaitMs = opts.closeWaitMs ?? 1000

    const WS = deps.WebSocket ?? WebSocket
    try {
      this.ws = new WS(opts.url, LISTEN_SUBPROTOCOL, {
        headers: opts.headers,
        perMessageDeflate: false,
        handshakeTimeout: opts.connectTimeoutMs ?? 5000,
      })
    } catch (err) {
      this.resolveSocketClosed()
      this.end('error', new LivecallError('LIVECALL_ERR_LISTEN_CONNECT', `listen: cannot connect to ${opts.url}: ${errMessage(err)}`, 502, { cause: err }))
      return
    }
    this.attach(this.ws, sampleRate, mixType)
    this.timers.connect = setTimeout(() => {
      this.timers.connect = null
      this.end('error', new LivecallError('LIVECALL_ERR_LISTEN_CONNECT', `listen: ${opts.url} did not open within ${opts.connectTimeoutMs ?? 5000} ms`, 504))
    }, opts.connectTimeoutMs ?? 5000)
    if (opts.maxLengthMs && opts.maxLengthMs > 0) {
      this.timers.maxLength = setTimeout(() => {
        this.timers.maxLength = null
        this.end('maxLength')
      }, opts.maxLengthMs)
    }
  }

  get state(): ListenState {
    return this.stateValue
  }

  get paused(): boolean {
    return this.flow === ListenFlow.Paused
  }

  on<E extends keyof ListenForkerEvents>(event: E, listener: ListenForkerEvents[E]): this {
    this.events.on(event, listener)
    return this
  }

  off<E extends keyof ListenForkerEvents>(event: E, listener: ListenForkerEvents[E]): this {
    this.events.off(event, listener)
    return this
  }

  stats(): ListenForkerStats {
    return { ...this.counters, bufferedAmount: this.ws && this.stateValue !== ListenState.Ended ? this.ws.bufferedAmount : 0 }
  }

  push(caller: Int16Array | null, callee: Int16Array | null): void {
    if (this.stateValue === ListenState.Ended || this.flow === ListenFlow.Paused) return
    try {
      const frame = this.encoder.encode(caller, callee)
      if (this.stateValue === ListenState.Connecting) {
        this.queue(frame)
        return
      }
      this.send(frame)
    } catch (err) {
      this.end('error', err instanceof Error ? err : new Error(String(err)))
    }
  }

  sendJson(msg: Record<string, unknown>): boolean {
    if (this.stateValue !== ListenState.Open || !this.ws) return false
    try {
      this.ws.send(JSON.stringify(msg))
      return true
    } catch {
      return false
    }
  }

  pause(): void {
    if (this.stateValue === ListenState.Ended) return
    this.flow = ListenFlow.Paused
    this.queued = []
  }

  resume(): void {
    if (this.stateValue === ListenState.Ended || this.flow === ListenFlow.Streaming) return
    this.encoder.reset()
    this.flow = ListenFlow.Streaming
  }

  async stop(): Promise<void> {
    this.end('stopped')
    await this.socketClosed
  }

  private attach(ws: WebSocket, sampleRate: number, mixType: ListenMixType): void {
    ws.on('open', () => {
      if (this.stateValue !== ListenState.Connecting) return
      this.clearTimer('connect')
      this.stateValue = ListenState.Open
      try {
        ws.send(JSON.stringify({ ...(this.opts.metadata ?? {}), sampleRate, mixType }))
        const queued = this.queued
        this.queued = []
        for (const frame of queued) this.send(frame)
      } catch (err) {
        this.end('error', err instanceof Error ? err : new Error(String(err)))
      }
    })
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary))
    ws.on('error', (err) => {
      const connecting = this.stateValue === ListenState.Connecting
      this.end(
        'error',
        connecting ? new LivecallError('LIVECALL_ERR_LISTEN_CONNECT', `listen: cannot connect to ${this.opts.url}: ${err.message}`, 502, { cause: err }) : err,
      )
    })
    ws.on('close', () => {
      this.resolveSocketClosed()
      this.clearTimer('closeWait')
      this.end('closed')
    })
  }

  /** Send one frame unless the consumer is more than maxBufferedMs behind. */
  private send(frame: Buffer): void {
    const ws = this.ws!
    if (ws.readyState !== WebSocket.OPEN || ws.bufferedAmount + frame.length > this.maxBufferedBytes) {
      this.counters.framesDroppedBackpressure++
      return
    }
    ws.send(frame)
    this.counters.framesSent++
    this.counters.bytesSent += frame.length
  }

  /** While connecting, keep the newest maxQueuedMs of audio: it continues without a gap once open. */
  private queue(frame: Buffer): void {
    this.queued.push(frame)
    if (this.queued.length > this.maxQueuedFrames) {
      this.queued.shift()
      this.counters.framesDroppedConnecting++
    }
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.stateValue !== ListenState.Open) return
    try {
      if (isBinary) {
        if (!this.decoder) {
          this.counters.messagesIgnored++
          return
        }
        this.emitAudio(this.decoder.push(toBuffer(data)))
        return
      }
      let msg: unknown
      try {
        msg = JSON.parse(toBuffer(data).toString('utf8'))
      } catch {
        msg = null
      }
      if (!msg || typeof msg !== 'object' || Array.isArray(msg)) {
        this.counters.messagesIgnored++
        return
      }
      this.onCommand(msg as Record<string, unknown>)
    } catch {
      this.counters.messagesIgnored++
    }
  }

  /**
   * jambonz bidirectional-audio commands (non-streaming mode): `playAudio` with raw
   * base64 PCM, `killAudio`, `disconnect`. Anything else is passed on as 'message'.
   */
  private onCommand(msg: Record<string, unknown>): void {
    const type = msg.type
    const data = (msg.data ?? {}) as Record<string, unknown>
    if (type === 'playAudio' && this.decoder && typeof data.audioContent === 'string' && (data.audioContentType ?? 'raw') === 'raw') {
      const rate = validRate(data.sampleRate as number | undefined) ?? this.decoder.sampleRate
      const decoder = rate === this.decoder.sampleRate ? this.decoder : new BidirectionalAudioDecoder(rate)
      this.emitAudio(decoder.push(Buffer.from(data.audioContent, 'base64')))
    } else if (type === 'killAudio') {
      this.decoder?.clear()
      this.events.emit('killAudio')
    } else if (type === 'disconnect') {
      this.end('closed')
    } else {
      this.events.emit('message', msg)
    }
  }

  private emitAudio(frames: Int16Array[]): void {
    for (const f of frames) {
      this.counters.audioFramesReceived++
      this.events.emit('audio', f)
    }
  }

  /** The one way into Ended: resolves `done`, clears every timer, closes the socket. */
  private end(reason: ListenEndReason, error?: Error): void {
    if (this.stateValue === ListenState.Ended) return
    const wasOpen = this.stateValue === ListenState.Open
    this.stateValue = ListenState.Ended
    this.queued = []
    this.clearTimer('connect')
    this.clearTimer('maxLength')
    this.resolveDone(error ? { reason, error } : { reason })
    const ws = this.ws
    if (!ws || ws.readyState === WebSocket.CLOSED) {
      this.resolveSocketClosed()
      return
    }
    try {
      if (wasOpen && ws.readyState === WebSocket.OPEN) {
        ws.close(1000)
        this.timers.closeWait = setTimeout(() => {
          this.timers.closeWait = null
          ws.terminate()
        }, this.closeWaitMs)
      } else {
        ws.terminate()
      }
    } catch {
      this.resolveSocketClosed()
    }
  }

  private clearTimer(name: keyof WebSocketListenForker['timers']): void {
    const t = this.timers[name]
    if (t) clearTimeout(t)
    this.timers[name] = null
  }
}

function validRate(rate: number | undefined): number | undefined {
  return typeof rate === 'number' && Number.isInteger(rate) && rate >= 8000 && rate <= 192000 ? rate : undefined
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.from(data)
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
