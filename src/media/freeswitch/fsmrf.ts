/**
 * The typed face of drachtio-fsmrf 4.1.x (a CommonJS package without types): only what
 * the FreeSWITCH adapter calls. `Mrf#connect` opens the inbound event socket (auth, then
 * `sofia status` to find the `drachtio_mrf` profile) and listens for FreeSWITCH's outbound
 * event-socket connections, one per channel; `MediaServer#createEndpoint` sends an INVITE
 * through drachtio-srf to that profile and resolves when the channel's outbound
 * connection has arrived.
 */
import { createRequire } from 'node:module'

/** An ESL event (drachtio-modesl's Event). */
export interface EslEvent {
  getHeader(name: string): string | undefined
  getBody(): string
}

/** drachtio-modesl's Connection, as far as we touch it. */
export interface EslConnection {
  /** replaced by a new socket on every reconnect of the inbound connection (esl::connect) */
  socket: { setNoDelay(noDelay?: boolean): unknown; remoteAddress?: string; localAddress?: string } | null
  on(event: string, listener: (...args: any[]) => void): unknown
  removeListener(event: string, listener: (...args: any[]) => void): unknown
  api(command: string, cb: (res: EslEvent) => void): void
}

export interface FsmrfEndpoint {
  readonly uuid: string
  readonly local: { sdp?: string }
  readonly conn: EslConnection | null
  api(command: string, args: string | string[]): Promise<EslEvent>
  execute(app: string, arg?: string): Promise<EslEvent>
  modify(sdp: string): Promise<unknown>
  bridge(other: FsmrfEndpoint | string): Promise<void>
  unbridge(): Promise<void>
  join(conf: string, opts?: { profile?: string; flags?: Record<string, boolean> }): Promise<{ memberId: number; confUuid: string }>
  forkAudioStart(opts: {
    wsUrl: string
    mixType?: 'mono' | 'mixed' | 'stereo'
    sampling?: string
    bugname: string
    metadata?: Record<string, unknown>
    bidirectionalAudio?: { enabled?: boolean; streaming?: boolean; sampleRate?: number }
  }): Promise<void>
  forkAudioPause(bugname: string, silence: boolean): Promise<void>
  forkAudioResume(bugname: string): Promise<void>
  forkAudioStop(bugname: string): Promise<void>
  destroy(): Promise<void>
  on(event: 'dtmf', listener: (e: { dtmf: string; duration: string }) => void): unknown
  on(event: 'destroy', listener: (e?: { reason?: string }) => void): unknown
  on(event: string, listener: (...args: any[]) => void): unknown
}

export interface FsmrfMediaServer {
  readonly conn: EslConnection
  readonly listenPort: number
  readonly listenAddress: string
  readonly advertisedAddress: string
  readonly advertisedPort: number
  createEndpoint(opts: { remoteSdp?: string; codecs?: string[]; headers?: Record<string, string> }): Promise<FsmrfEndpoint>
  /** emitted for every outbound event-socket connection from FreeSWITCH */
  on(event: 'channel::open', listener: (e: { uuid: string }) => void): unknown
  on(event: 'end' | 'error', listener: (...args: any[]) => void): unknown
  disconnect(): void
}

export interface MrfConnectOptions {
  address: string
  port: number
  secret: string
  /** TCP address/port we listen on for FreeSWITCH's outbound connections (fixed, see docs/production.md) */
  listenAddress: string
  listenPort: number
  /** what we put in X-esl-outbound for FreeSWITCH to connect to */
  advertisedAddress?: string
  advertisedPort?: number
  profile?: string
}

interface MrfClass {
  new (srf: unknown, opts?: { customEvents?: string[] }): { connect(opts: MrfConnectOptions): Promise<FsmrfMediaServer> }
}

const Mrf = createRequire(import.meta.url)('drachtio-fsmrf') as MrfClass

/** mod_audio_fork's custom events, so listens learn when the far side closed */
export const AUDIO_FORK_EVENTS = ['mod_audio_fork::connect', 'mod_audio_fork::connect_failed', 'mod_audio_fork::disconnect', 'mod_audio_fork::error']

/**
 * Call `onSocket` for every outbound event-socket connection FreeSWITCH opens to
 * drachtio-fsmrf, as soon as it is accepted — before drachtio-fsmrf's own set-up commands
 * on the channel (the `connection::open` event of drachtio-modesl's Server, which
 * drachtio-fsmrf 4.1 keeps as `MediaServer#_server`).
 */
export function onOutboundConnection(ms: FsmrfMediaServer, onConnection: (conn: EslConnection) => void): void {
  const server = (ms as unknown as { _server?: { on(event: 'connection::open', l: (conn: EslConnection) => void): unknown } })._server
  if (!server) throw new Error('drachtio-fsmrf has no outbound event-socket server (not 4.1.x?)')
  server.on('connection::open', onConnection)
}

/** Connect to FreeSWITCH's event socket through drachtio-fsmrf. */
export function connectMrf(srf: unknown, opts: MrfConnectOptions): Promise<FsmrfMediaServer> {
  return new Mrf(srf, { customEvents: AUDIO_FORK_EVENTS }).connect(opts)
}
