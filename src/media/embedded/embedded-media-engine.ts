import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { pino } from 'pino'
import { LivecallError } from '../../errors/index.js'
import type { CreateEndpointOptions, MediaEngine, MediaEngineStats } from '../types.js'
import type { LoadAudio } from './audio-loader.js'
import { AudioLoader } from './audio/index.js'
import type { G711Codec } from './codec/g711.js'
import { ConferenceHub } from './conference-hub.js'
import { EmbeddedEndpoint } from './embedded-endpoint.js'
import { EndpointState } from './endpoint-state.js'
import { monotonicMs } from './deadline-timer.js'
import { Pacer } from './pacer.js'
import { PortAllocator } from './port-allocator.js'
import { createRtpHeader } from './rtp/rtp-packet.js'
import { createRtpIo } from './rtp/create-rtp-io.js'
import type { RtpIo, RtpIoChoice, RtpSocketPair } from './rtp/rtp-io.js'
import { parseSdp, selectAudio } from './sdp/negotiate.js'
import { SdpSession } from './sdp/sdp-session.js'
import { MediaCounters, type MediaCountersSnapshot } from './stats.js'

export interface EmbeddedMediaEngineOptions {
  /** address we bind and advertise in SDP (RTP_HOST) */
  host: string
  portMin: number
  portMax: number
  /** an endpoint that receives no RTP this long emits `timeout`; default 60 000 ms */
  rtpTimeoutMs?: number
  logger?: Logger
  /** prompt loader; default: the audio module's AudioLoader (file, url, tone, say, silence) */
  loadAudio?: LoadAudio
  /** where the default AudioLoader keeps synthesized speech across restarts */
  audioCacheDir?: string
  /** UDP socket layer (RTP_IO): native batched I/O when built, else Node dgram; default auto */
  io?: RtpIoChoice
}

/**
 * Engine state:  Running ──close()──▶ Closed  (close cascades to every endpoint; then
 * createEndpoint rejects with LIVECALL_ERR_MEDIA_CLOSED).
 */
export enum EngineState {
  Running = 'running',
  Closed = 'closed',
}

const DEFAULT_CODECS: G711Codec[] = ['PCMU', 'PCMA']

/**
 * The embedded RTP media engine: endpoints on UDP ports from [portMin, portMax], one
 * shared 20 ms pacer for everything generated locally, one inactivity sweep timer, and
 * engine-wide counters. No process-wide state: two engines can coexist.
 */
export class EmbeddedMediaEngine implements MediaEngine {
  private state: EngineState = EngineState.Running
  private readonly allocator: PortAllocator
  private readonly endpoints = new Map<string, EmbeddedEndpoint>()
  /** counters of the endpoints already closed; live ones are added when stats() is asked */
  private readonly retired = new MediaCounters()
  /** scratch RTP header every endpoint's receive path parses into (see EndpointContext.header) */
  private readonly header = createRtpHeader()
  readonly pacer: Pacer
  /** the UDP socket layer every endpoint's sockets come from */
  readonly io: RtpIo
  /** named conference rooms, mixed on the shared pacer */
  readonly conferences: ConferenceHub
  private readonly logger: Logger
  private readonly loadAudio: LoadAudio
  /** owned (and closed) by the engine when it made it */
  private readonly audioLoader: AudioLoader | null
  private readonly rtpTimeoutMs: number
  private readonly sweepMs: number
  private readonly timers: { inactivitySweep: NodeJS.Timeout | null } = { inactivitySweep: null }

  constructor(private readonly opts: EmbeddedMediaEngineOptions) {
    this.allocator = new PortAllocator(opts.portMin, opts.portMax)
    this.logger = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'media' })
    this.audioLoader = opts.loadAudio ? null : new AudioLoader({ cacheDir: opts.audioCacheDir })
    const loader = this.audioLoader
    this.loadAudio = opts.loadAudio ?? ((source, o) => loader!.load(source, o.signal))
    this.rtpTimeoutMs = opts.rtpTimeoutMs ?? 60_000
    this.sweepMs = Math.max(10, Math.min(1000, Math.floor(this.rtpTimeoutMs / 4)))
    this.io = createRtpIo(opts.io ?? 'auto', this.logger)
    this.pacer = new Pacer({ timer: this.io.timer, onClientError: (err) => this.logger.warn({ err }, 'pacer client threw') })
    this.conferences = new ConferenceHub(this.pacer, (err) => this.logger.warn({ err }, 'conference send failed'))
  }

  async createEndpoint(opts: CreateEndpointOptions = {}): Promise<EmbeddedEndpoint> {
    if (this.state === EngineState.Closed) throw new LivecallError('LIVECALL_ERR_MEDIA_CLOSED', 'media engine is closed', 409)
    const codecs = opts.codecs && opts.codecs.length > 0 ? opts.codecs : DEFAULT_CODECS
    // refuse a bad offer before taking a port
    if (opts.remoteSdp !== undefined) selectAudio(parseSdp(opts.remoteSdp), codecs, 'sendrecv', 'offer')
    const { port, value: sockets } = await this.allocator.allocate((p) => this.io.bindPair(this.opts.host, p))
    if (!this.closed) {
      try {
        return this.open(port, sockets, codecs, opts.remoteSdp)
      } catch (err) {
        sockets.close()
        this.allocator.release(port)
        throw err
      }
    }
    sockets.close()
    this.allocator.release(port)
    throw new LivecallError('LIVECALL_ERR_MEDIA_CLOSED', 'media engine is closed', 409)
  }

  get closed(): boolean {
    return this.state === EngineState.Closed
  }

  private open(port: number, sockets: RtpSocketPair, codecs: G711Codec[], remoteSdp?: string): EmbeddedEndpoint {
    const sdp = new SdpSession(this.opts.host, port, codecs)
    if (remoteSdp !== undefined) sdp.applyRemote(remoteSdp)
    else sdp.createOffer()
    const id = randomUUID()
    const endpoint = new EmbeddedEndpoint(
      id,
      port,
      sockets,
      sdp,
      {
        pacer: this.pacer,
        conferences: this.conferences,
        header: this.header,
        logger: this.logger,
        loadAudio: this.loadAudio,
        now: monotonicMs,
        onClosed: (ep) => {
          ep.addCountersTo(this.retired)
          this.endpoints.delete(ep.id)
          this.allocator.release(ep.port)
          if (this.endpoints.size === 0) this.stopSweep()
        },
      },
      remoteSdp !== undefined ? EndpointState.Active : EndpointState.New,
    )
    this.endpoints.set(id, endpoint)
    this.startSweep()
    return endpoint
  }

  /** Timer "inactivitySweep": every sweepMs, each endpoint checks whether RTP stopped. */
  private startSweep(): void {
    if (this.timers.inactivitySweep) return
    const t = setInterval(() => {
      for (const ep of this.endpoints.values()) ep.checkInactivity(this.sweepMs, this.rtpTimeoutMs)
    }, this.sweepMs)
    t.unref()
    this.timers.inactivitySweep = t
  }

  private stopSweep(): void {
    if (this.timers.inactivitySweep) clearInterval(this.timers.inactivitySweep)
    this.timers.inactivitySweep = null
  }

  getEndpoint(id: string): EmbeddedEndpoint | undefined {
    return this.endpoints.get(id)
  }

  stats(): MediaEngineStats & { counters: MediaCountersSnapshot; portsInUse: number; portCapacity: number; pacerClients: number } {
    const totals = new MediaCounters()
    this.retired.addTo(totals)
    for (const ep of this.endpoints.values()) ep.addCountersTo(totals)
    const snap = totals.snapshot()
    return {
      endpoints: this.endpoints.size,
      packetsReceived: snap.packetsReceived,
      bytesReceived: snap.bytesReceived,
      packetsSent: snap.packetsSent,
      bytesSent: snap.bytesSent,
      dropped: snap.dropped,
      counters: snap,
      portsInUse: this.allocator.used,
      portCapacity: this.allocator.capacity,
      pacerClients: this.pacer.size,
    }
  }

  async close(): Promise<void> {
    if (this.state === EngineState.Closed) return
    this.state = EngineState.Closed
    await Promise.all([...this.endpoints.values()].map((ep) => ep.close()))
    this.stopSweep()
    this.pacer.close()
    this.io.close()
    await this.audioLoader?.close()
  }
}
