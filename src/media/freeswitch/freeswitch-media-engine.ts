/**
 * The MediaEngine on FreeSWITCH (MEDIA_ENGINE=freeswitch), through drachtio-fsmrf 4.1.x.
 *
 * `connect` opens the inbound event socket (FREESWITCH_HOST:PORT, FREESWITCH_SECRET), finds
 * the `drachtio_mrf` sofia profile, and listens on a fixed port (FREESWITCH_LISTEN_PORT,
 * 8085 by default; drachtio-fsmrf would take an OS-assigned one) for the outbound
 * event-socket connection FreeSWITCH opens for every channel (freeswitch/conf/dialplan:
 * `socket` to the X-esl-outbound header, FREESWITCH_ADVERTISED_HOST or the bound address).
 * Every event socket gets TCP_NODELAY: drachtio-modesl writes a command in several small
 * pieces, and without it each command waits ~40 ms for Nagle plus delayed ACK (issue 10).
 * Endpoints are
 * channels: createEndpoint sends an INVITE through drachtio-srf to FreeSWITCH, with the far
 * end's offer as its SDP, so the channel's local SDP is our answer.
 *
 * States: open → closed; close() closes every endpoint, then the event socket.
 */
import { createServer } from 'node:net'
import type { Logger } from 'pino'
import { LivecallError } from '../../errors/index.js'
import type { CreateEndpointOptions, MediaEngine, MediaEngineStats } from '../types.js'
import { FreeswitchEndpoint } from './freeswitch-endpoint.js'
import { connectMrf, onOutboundConnection, type EslConnection, type FsmrfMediaServer } from './fsmrf.js'
import { localAddressToward } from './local-address.js'
import { mediaTimeoutHeaders, mediaTimeouts, type MediaTimeouts } from './media-timeouts.js'

export interface FreeswitchMediaEngineOptions {
  /** the connected drachtio-srf instance FreeSWITCH's channels are INVITEd through */
  srf: unknown
  host: string
  port: number
  secret: string
  /** port for FreeSWITCH's outbound event-socket connections (default 8085; 0 = OS-assigned; must be reachable from FreeSWITCH) */
  listenPort?: number
  /** address that port is bound to (default: the local address we reach FreeSWITCH from) */
  listenHost?: string
  /** address FreeSWITCH connects back to, sent in X-esl-outbound (default: the bound address) */
  advertisedHost?: string
  /** sofia profile drachtio-fsmrf INVITEs (default drachtio_mrf, freeswitch/conf/sip_profiles/drachtio_mrf.xml) */
  profile?: string
  /**
   * RTP_TIMEOUT_S in ms: a channel whose far end sends no RTP this long is hung up by
   * FreeSWITCH (MEDIA_TIMEOUT → the endpoint's 'timeout'). Sent per channel in the INVITE
   * (X-Livecall-Media-Timeout; freeswitch/conf/dialplan/mrf.xml sets media_timeout from it).
   * Unset: the drachtio_mrf profile's rtp-timeout-sec applies.
   */
  mediaTimeoutMs?: number
  /** how long to wait for the event socket (auth, sofia status) before giving up (default 10 s) */
  connectTimeoutMs?: number
  logger: Logger
}

export const DEFAULT_ESL_LISTEN_PORT = 8085

/** Bind and release `host:port`, so a taken FREESWITCH_LISTEN_PORT is a start-up error naming it. */
function assertCanListen(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', (err) => reject(new LivecallError('LIVECALL_ERR_CONFIG', `cannot listen on ${host}:${port} for FreeSWITCH's outbound event sockets (FREESWITCH_LISTEN_PORT / FREESWITCH_LISTEN_HOST): ${err.message}`, undefined, { cause: err })))
    server.listen(port, host, () => server.close(() => resolve()))
  })
}

function noDelay(conn: EslConnection): void {
  conn.socket?.setNoDelay(true)
}

export enum FsEngineState {
  Open = 'open',
  Closed = 'closed',
}

export class FreeswitchMediaEngine implements MediaEngine {
  private state = FsEngineState.Open
  private readonly endpoints = new Set<FreeswitchEndpoint>()
  private created = 0

  private readonly channelHeaders: Record<string, string>
  private readonly timeouts: MediaTimeouts | undefined

  private constructor(private readonly ms: FsmrfMediaServer, private readonly logger: Logger, mediaTimeoutMs?: number) {
    this.timeouts = mediaTimeouts(mediaTimeoutMs)
    this.channelHeaders = mediaTimeoutHeaders(this.timeouts)
    noDelay(ms.conn)
    // drachtio-modesl reconnects the inbound socket on its own, with a new socket each time
    ms.conn.on('esl::connect', () => noDelay(ms.conn))
    onOutboundConnection(ms, noDelay)
    ms.on('end', () => logger.error('lost the FreeSWITCH event socket; drachtio-fsmrf reconnects'))
    ms.on('error', (err: unknown) => logger.error({ err }, 'FreeSWITCH media server error'))
  }

  static async connect(opts: FreeswitchMediaEngineOptions): Promise<FreeswitchMediaEngine> {
    const local = opts.listenHost ?? (await localAddressToward(opts.host, opts.port))
    const listenPort = opts.listenPort ?? DEFAULT_ESL_LISTEN_PORT
    // drachtio-fsmrf listens without an error handler: a taken port would be an uncaught exception
    await assertCanListen(local, listenPort)
    const connecting = connectMrf(opts.srf, {
      address: opts.host,
      port: opts.port,
      secret: opts.secret,
      listenAddress: local,
      listenPort,
      advertisedAddress: opts.advertisedHost,
      profile: opts.profile,
    })
    // a refused `auth` only emits esl::event::auth::fail: drachtio-fsmrf never rejects, so bound the wait
    let timer: NodeJS.Timeout | undefined
    const ms = await Promise.race([
      connecting,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LivecallError('LIVECALL_ERR_CONFIG', `FreeSWITCH event socket ${opts.host}:${opts.port} not ready (wrong FREESWITCH_SECRET, or no drachtio_mrf profile?)`)), opts.connectTimeoutMs ?? 10_000)
      }),
    ]).finally(() => clearTimeout(timer))
    opts.logger.info({ freeswitch: `${opts.host}:${opts.port}`, eslListen: `${ms.listenAddress}:${ms.listenPort}`, eslAdvertised: `${ms.advertisedAddress}:${ms.advertisedPort}` }, 'connected to FreeSWITCH')
    return new FreeswitchMediaEngine(ms, opts.logger, opts.mediaTimeoutMs)
  }

  /** the port FreeSWITCH's outbound event-socket connections come to */
  get listenPort(): number {
    return this.ms.listenPort
  }

  /** `host:port` FreeSWITCH is told to connect back to (X-esl-outbound) */
  get advertised(): string {
    return `${this.ms.advertisedAddress}:${this.ms.advertisedPort}`
  }

  /** FreeSWITCH's own count of its channels (`show channels count`): the production shape's leak check */
  async channelCount(): Promise<number> {
    const body = await this.inboundApi('show channels count')
    const m = /(\d+)\s+total/.exec(body)
    if (!m) throw new Error(`unexpected answer to show channels count: ${body.trim()}`)
    return Number(m[1])
  }

  /**
   * `api <command>` on livecall's own (inbound) event socket, not a channel's: it answers
   * when a channel's socket is dead or its session thread is stuck, so a channel can always
   * be killed (`uuid_kill`) from here.
   */
  private inboundApi(command: string, timeoutMs = 5000): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`FreeSWITCH did not answer \`${command}\` within ${timeoutMs} ms`)), timeoutMs)
      this.ms.conn.api(command, (res) => {
        clearTimeout(timer)
        resolve(res.getBody())
      })
    })
  }

  async createEndpoint(opts: CreateEndpointOptions = {}): Promise<FreeswitchEndpoint> {
    if (this.state !== FsEngineState.Open) throw new LivecallError('LIVECALL_ERR_MEDIA_CLOSED', 'the FreeSWITCH media engine is closed')
    const channel = await this.ms.createEndpoint({ remoteSdp: opts.remoteSdp, codecs: opts.codecs ?? ['PCMU', 'PCMA'], headers: this.channelHeaders }).catch((err: unknown) => {
      throw new LivecallError('LIVECALL_ERR_MEDIA_NO_PORTS', `FreeSWITCH could not create a channel: ${(err as Error).message}`, undefined, { cause: err })
    })
    const report = (err: unknown, what: string): void => this.logger.warn({ err, endpoint: channel.uuid }, `FreeSWITCH ${what} failed`)
    const kill = async (uuid: string): Promise<void> => {
      const body = await this.inboundApi(`uuid_kill ${uuid}`)
      if (!body.startsWith('+OK')) throw new Error(`uuid_kill ${uuid}: ${body.trim()}`)
    }
    const ep = new FreeswitchEndpoint(channel, report, kill, this.timeouts)
    this.created++
    this.endpoints.add(ep)
    this.logger.debug({ endpoint: ep.id }, 'FreeSWITCH endpoint created')
    ep.on('close', () => {
      this.endpoints.delete(ep)
      this.logger.debug({ endpoint: ep.id }, 'FreeSWITCH endpoint closed')
    })
    return ep
  }

  stats(): MediaEngineStats {
    return { endpoints: this.endpoints.size, packetsReceived: 0, bytesReceived: 0, packetsSent: 0, bytesSent: 0, dropped: {} }
  }

  /** endpoints created since start */
  get endpointsCreated(): number {
    return this.created
  }

  async close(): Promise<void> {
    if (this.state === FsEngineState.Closed) return
    this.state = FsEngineState.Closed
    await Promise.all([...this.endpoints].map((ep) => ep.close()))
    this.ms.disconnect()
  }
}
