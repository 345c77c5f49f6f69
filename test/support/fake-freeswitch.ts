/**
 * A fake FreeSWITCH event socket on loopback (real TCP, the ESL text protocol), for the
 * FreeSWITCH adapter's unit tests. It plays both sides FreeSWITCH plays:
 *
 * * inbound (livecall connects to it): `auth/request` → `auth <secret>` → `+OK accepted`;
 *   `api sofia status` answers a drachtio_mrf profile; other commands answer `+OK`.
 * * outbound (it connects to drachtio-fsmrf's listen port, as the dialplan's `socket`
 *   application does for every channel): `connect` → the channel's data; `api` →
 *   api/response; `sendmsg` → command/reply, then CHANNEL_EXECUTE_COMPLETE (or what the
 *   test scripts), as JSON events.
 * * channel variables: `uuid_setvar` sets, `uuid_getvar` reads (`_undef_` when unset);
 *   `uuid_bridge a b` sets each one's `bridge_to` to the other, `uuid_transfer a -both`
 *   clears both — FreeSWITCH's own bookkeeping, which the adapter polls.
 *
 * Every command received is recorded, in order, as one line: `api uuid_bridge a b`,
 * `execute playback /x.wav`, `event json …` — the conversation the tests assert on.
 */
import { EventEmitter } from 'node:events'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { randomUUID } from 'node:crypto'

export interface ExecuteScript {
  /** extra headers on CHANNEL_EXECUTE_COMPLETE */
  headers?: Record<string, string>
  /** events to send before completing (e.g. conference add-member) */
  events?: Array<Record<string, string>>
  /** false: never complete (a conference the member stays in) */
  complete?: boolean
  /** ms before completing */
  delayMs?: number
}

export interface FakeChannel {
  uuid: string
  socket: Socket
  localSdp: string
  /** send a JSON event on this channel's socket (Unique-ID filled in) */
  event(headers: Record<string, string>, body?: string): void
  /** complete a pending execute of `app` (one that was scripted with complete: false or a delay) */
  completeExecute(app: string, headers?: Record<string, string>): void
}

export const FAKE_SOFIA_STATUS = [
  '                     Name          Type                                       Data      State',
  '=================================================================================================',
  '              drachtio_mrf       profile           sip:mod_sofia@127.0.0.1:5080      RUNNING (0)',
  '=================================================================================================',
  '',
].join('\n')

export class FakeFreeswitch extends EventEmitter {
  /** every command, in order, from every socket */
  readonly commands: string[] = []
  readonly channels = new Map<string, FakeChannel>()
  /** api command name → reply body (default '+OK\n') */
  readonly apiReplies = new Map<string, string | ((args: string) => string)>()
  /** application name → how its execute completes */
  readonly executeScripts = new Map<string, ExecuteScript>()
  private server?: Server
  private readonly sockets = new Set<Socket>()
  /** livecall's inbound event-socket connections, newest last */
  readonly inboundSockets: Socket[] = []
  private readonly pending = new Map<string, Array<{ eventUuid: string; arg: string }>>()
  /** uuid → channel variables */
  readonly variables = new Map<string, Map<string, string>>()
  authAttempts: string[] = []
  /** false: `hangup` runs but no BYE follows (a session thread stuck behind another application) */
  byeOnHangup = true

  constructor(readonly secret = 'ClueCon') {
    super()
  }

  async listen(): Promise<number> {
    this.server = createServer((socket) => this.inbound(socket))
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    return (this.server.address() as { port: number }).port
  }

  /** FreeSWITCH's outbound socket for a new channel, as the dialplan's `socket` app opens it */
  dial(host: string, port: number, vars: { userAgent: string; localSdp: string; remoteSdp?: string }): Promise<FakeChannel> {
    const uuid = randomUUID()
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port })
      this.sockets.add(socket)
      const channel: FakeChannel = {
        uuid,
        socket,
        localSdp: vars.localSdp,
        event: (headers, body) => this.sendEvent(socket, { 'Unique-ID': uuid, ...headers }, body),
        completeExecute: (app, headers) => this.complete(channel, app, headers),
      }
      this.channels.set(uuid, channel)
      socket.once('error', reject)
      this.readCommands(socket, (cmd, headers) => {
        if (cmd === 'connect') {
          this.write(socket, {
            'Content-Type': 'command/reply',
            'Reply-Text': '+OK',
            'Event-Name': 'CHANNEL_DATA',
            'Unique-ID': uuid,
            'Channel-Unique-ID': uuid,
            variable_sip_user_agent: vars.userAgent,
            variable_rtp_local_sdp_str: channel.localSdp,
            variable_switch_r_sdp: vars.remoteSdp ?? '',
            variable_local_media_ip: '127.0.0.1',
            variable_local_media_port: '20000',
          })
          resolve(channel)
          return
        }
        this.channelCommand(channel, cmd, headers)
      })
    })
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }

  /** commands after `from` that a test cares about (drops event/filter/uuid_dump bookkeeping) */
  actions(from = 0): string[] {
    return this.commands.slice(from).filter((c) => !/^(event |filter |api uuid_set_media_stats|api uuid_dump|api uuid_getvar|connect$)/.test(c))
  }

  /** FreeSWITCH restarting, as livecall sees it: every inbound event socket is closed (drachtio-modesl reconnects) */
  dropInbound(): void {
    for (const s of this.inboundSockets) s.destroy()
  }

  private inbound(socket: Socket): void {
    this.sockets.add(socket)
    this.inboundSockets.push(socket)
    let authed = false
    this.write(socket, { 'Content-Type': 'auth/request' })
    this.readCommands(socket, (cmd) => {
      if (!authed) {
        this.authAttempts.push(cmd)
        if (cmd === `auth ${this.secret}`) {
          authed = true
          this.write(socket, { 'Content-Type': 'command/reply', 'Reply-Text': '+OK accepted' })
        } else {
          this.write(socket, { 'Content-Type': 'command/reply', 'Reply-Text': '-ERR invalid' })
          socket.end()
        }
        return
      }
      if (cmd.startsWith('api ')) return this.apiReply(socket, cmd)
      this.write(socket, { 'Content-Type': 'command/reply', 'Reply-Text': '+OK' })
    })
  }

  private channelCommand(channel: FakeChannel, cmd: string, headers: Record<string, string>): void {
    if (cmd.startsWith('api ')) return this.apiReply(channel.socket, cmd, channel)
    if (cmd.startsWith('sendmsg')) {
      const app = headers['execute-app-name'] ?? ''
      const arg = headers['execute-app-arg'] ?? ''
      this.commands[this.commands.length - 1] = `execute ${app}${arg ? ` ${arg}` : ''}`
      this.write(channel.socket, { 'Content-Type': 'command/reply', 'Reply-Text': '+OK' })
      const list = this.pending.get(`${channel.uuid}/${app}`) ?? []
      list.push({ eventUuid: headers['Event-UUID'] ?? '', arg })
      this.pending.set(`${channel.uuid}/${app}`, list)
      this.emit('execute', channel, app, arg)
      const script = this.executeScripts.get(app) ?? {}
      setImmediate(() => {
        for (const e of script.events ?? []) channel.event(e)
        if (script.complete === false) return
        if (script.delayMs) setTimeout(() => this.complete(channel, app, script.headers), script.delayMs)
        else this.complete(channel, app, script.headers)
      })
      return
    }
    this.write(channel.socket, { 'Content-Type': 'command/reply', 'Reply-Text': '+OK' })
  }

  private complete(channel: FakeChannel, app: string, headers: Record<string, string> = {}): void {
    const list = this.pending.get(`${channel.uuid}/${app}`)
    const p = list?.shift()
    if (!p) return
    channel.event({ 'Event-Name': 'CHANNEL_EXECUTE_COMPLETE', Application: app, 'Application-Data': p.arg, 'Application-UUID': p.eventUuid, ...headers })
  }

  private apiReply(socket: Socket, cmd: string, channel?: FakeChannel): void {
    const [, name = '', args = ''] = /^api (\S+)\s?(.*)$/.exec(cmd) ?? []
    let body: string
    const scripted = this.apiReplies.get(name)
    if (scripted !== undefined) body = typeof scripted === 'function' ? scripted(args) : scripted
    else if (name === 'sofia' && args === 'status') body = FAKE_SOFIA_STATUS
    else if (name === 'uuid_dump' && channel) body = `Unique-ID: ${channel.uuid}\nvariable_rtp_local_sdp_str: ${encodeURIComponent(channel.localSdp)}\n`
    else body = this.variableReply(name, args.split(' '))
    this.emit('api', name, args, channel)
    this.write(socket, { 'Content-Type': 'api/response', 'Content-Length': String(Buffer.byteLength(body)) }, body)
  }

  private variableReply(name: string, [uuid = '', key = '', ...rest]: string[]): string {
    const vars = (id: string) => this.variables.get(id) ?? this.variables.set(id, new Map()).get(id)!
    if (name === 'uuid_getvar') return vars(uuid).get(key) ?? '_undef_'
    if (name === 'uuid_setvar') vars(uuid).set(key, rest.join(' '))
    if (name === 'uuid_bridge') {
      vars(uuid).set('bridge_to', key)
      vars(key).set('bridge_to', uuid)
    }
    if (name === 'uuid_transfer' && key === '-both') {
      const partner = vars(uuid).get('bridge_to')
      vars(uuid).delete('bridge_to')
      if (partner) vars(partner).delete('bridge_to')
    }
    return '+OK\n'
  }

  private sendEvent(socket: Socket, headers: Record<string, string>, body?: string): void {
    const json = JSON.stringify(body === undefined ? headers : { ...headers, _body: body })
    this.write(socket, { 'Content-Type': 'text/event-json', 'Content-Length': String(Buffer.byteLength(json)) }, json)
  }

  private write(socket: Socket, headers: Record<string, string>, body = ''): void {
    if (socket.destroyed) return
    const head = Object.entries(headers).map(([k, v]) => `${k}: ${k === 'Content-Type' || k === 'Content-Length' ? v : encodeURIComponent(v)}`).join('\n')
    socket.write(`${head}\n\n${body}`)
  }

  /** split the stream into commands: a first line, optional `Header: value` lines, a blank line */
  private readCommands(socket: Socket, onCommand: (cmd: string, headers: Record<string, string>) => void): void {
    let buf = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      buf += chunk
      let end: number
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end)
        buf = buf.slice(end + 2)
        const [first = '', ...rest] = block.split('\n')
        const headers: Record<string, string> = {}
        for (const line of rest) {
          const i = line.indexOf(': ')
          if (i > 0) headers[line.slice(0, i)] = line.slice(i + 2)
        }
        this.commands.push(first.trim())
        onCommand(first.trim(), headers)
      }
    })
    socket.on('error', () => undefined)
  }
}

/**
 * drachtio-srf's createUAC as drachtio-fsmrf uses it: the INVITE to FreeSWITCH becomes the
 * fake's outbound connection to X-esl-outbound; the dialog's re-INVITEs are recorded.
 */
export function fakeSrf(fs: FakeFreeswitch, answerSdp: (offer: string | undefined) => string) {
  const invites: Array<{ uri: string; localSdp?: string }> = []
  const reinvites: string[] = []
  /** each INVITE's X-esl-outbound header: where FreeSWITCH is told to connect back to */
  const eslOutbound: string[] = []
  /** each INVITE's headers as drachtio-fsmrf passed them */
  const inviteHeaders: Array<Record<string, string>> = []
  return {
    invites,
    reinvites,
    eslOutbound,
    inviteHeaders,
    srf: {
      async createUAC(uri: string, opts: { headers: Record<string, string>; localSdp?: string }) {
        invites.push({ uri, localSdp: opts.localSdp })
        eslOutbound.push(opts.headers['X-esl-outbound']!)
        inviteHeaders.push(opts.headers)
        const [host = '', port = ''] = opts.headers['X-esl-outbound']!.split(':')
        const dialog = new EventEmitter() as EventEmitter & { modify(sdp: string): Promise<string>; destroy(): void }
        const channel = await fs.dial(host, Number(port), { userAgent: opts.headers['User-Agent']!, localSdp: answerSdp(opts.localSdp), remoteSdp: opts.localSdp })
        dialog.modify = async (sdp: string) => {
          reinvites.push(sdp)
          channel.localSdp = answerSdp(sdp)
          fs.commands.push(`re-INVITE ${directionLine(sdp)}`)
          return channel.localSdp
        }
        dialog.destroy = () => channel.socket.end()
        // FreeSWITCH answers `hangup` with a BYE on this dialog
        fs.on('execute', (ch: FakeChannel, app: string) => {
          if (ch === channel && app === 'hangup' && fs.byeOnHangup) setImmediate(() => dialog.emit('destroy'))
        })
        return dialog
      },
    },
  }
}

function directionLine(sdp: string): string {
  return /a=(sendrecv|sendonly|recvonly|inactive)/.exec(sdp)?.[0] ?? 'a=sendrecv'
}
