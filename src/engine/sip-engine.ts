import { pino, type Logger } from 'pino'
import { getHeader, getTag, parseCSeq, type SipRequest, type SipResponse } from './message/index.js'
import { ClientEntries } from './core/client-entries.js'
import { ClientSide } from './core/client-side.js'
import type { CoreContext } from './core/core-context.js'
import { LocalAddress } from './core/local-address.js'
import { parseAppMessage } from './core/parse-app-message.js'
import { ProxyController } from './proxy/proxy-controller.js'
import { ServerEntries } from './core/server-entries.js'
import { ServerSide } from './core/server-side.js'
import { Subscriptions } from './core/subscriptions.js'
import { DialogTable } from './dialog/dialog-table.js'
import { ServerInviteTransaction } from './transaction/server-invite-transaction.js'
import { TransactionLayer } from './transaction/transaction-layer.js'
import { DEFAULT_TIMERS, type TimerValues } from './transaction/timer-values.js'
import { createStats, type EngineStats } from './transport/engine-stats.js'
import { nodeDnsLookup } from './dns/dns-lookup.js'
import { readHostsFile } from './dns/hosts-file.js'
import { SipTargetResolver } from './dns/resolve-sip-target.js'
import type { TlsCredentials } from './transport/tls-transport.js'
import { TransportLayer, type Inbound } from './transport/transport-layer.js'
import type { AppSession } from './wire/app-session.js'
import { WireServer } from './wire/wire-server.js'

export interface SipEngineOptions {
  sipHost: string
  sipPort: number
  /** where drachtio-srf apps connect; default 127.0.0.1 */
  drachtioHost?: string
  drachtioPort: number
  drachtioSecret: string
  logger?: Logger
  timers?: Partial<TimerValues>
  /** §A.6 CLIENT_TIMEOUT, default 64 s */
  appResponseTimeoutMs?: number
  tcpIdleTimeoutMs?: number
  /** how long after its expiry an unrefreshed subscription is ended (RFC 6665 §4.1.2.1, §4.1.3), default 64·T1 */
  subscriptionGraceMs?: number
  /** SIP over TLS on sipHost:tls.port (RFC 3261 §26.2); off when absent */
  tls?: { port: number; credentials: TlsCredentials }
  /** DNS servers for RFC 3263 resolution (`ip[:port]`); the system's when absent */
  dnsServers?: string[]
}

/** What is held right now; every figure returns to 0 when no call is up (the tests check it). */
export interface EngineCounts {
  /** transactions still holding call state (not just absorbing retransmissions) */
  transactions: number
  /** every transaction in the table, including those lingering for Timer D/I/J/K */
  transactionsLingering: number
  dialogs: number
  /** subscriptions in those dialogs (RFC 6665, RFC 3515 REFER) */
  subscriptions: number
  sipConnections: number
  appConnections: number
  /** requests (either way) with no final response yet */
  pendingRequests: number
  /** proxy operations (srf `proxyRequest()`) with a branch still running */
  proxies: number
}

export interface SipEngine {
  start(): Promise<void>
  stop(): Promise<void>
  counts(): EngineCounts
  stats(): EngineStats
}

/** The version reported to apps: `vX.Y.Z` turns srf's keep-alive pings on (§A.9.5). */
export const ENGINE_VERSION = 'v0.9.4'

/**
 * The embedded SIP engine: real SIP on sipHost:sipPort (UDP and TCP), the drachtio wire
 * protocol on drachtioHost:drachtioPort, so unmodified drachtio-srf apps run on it.
 */
export function createSipEngine(opts: SipEngineOptions): SipEngine {
  const logger = opts.logger ?? pino({ level: 'silent' })
  const stats = createStats()
  const local = new LocalAddress(opts.sipHost, opts.sipPort, opts.tls?.port)

  const transport = new TransportLayer({
    host: opts.sipHost,
    port: opts.sipPort,
    stats,
    logger,
    tcpIdleTimeoutMs: opts.tcpIdleTimeoutMs,
    tls: opts.tls,
    onMessage: (inbound) => onNetworkMessage(inbound),
  })
  const timers: TimerValues = { ...DEFAULT_TIMERS, ...opts.timers }
  const txns = new TransactionLayer({ transport, timers })
  const dialogs = new DialogTable((d) => {
    // A BYE (either way) before the ACK of our 2xx arrived: that 2xx needs no more retransmitting.
    const abandoned = d.abandonedAckTxnId
    const awaiting = abandoned ? ctx.server.get(abandoned) : undefined
    if (awaiting?.txn instanceof ServerInviteTransaction) awaiting.txn.abandonAck()
    d.ackSettled()
  })
  const wire = new WireServer({
    host: opts.drachtioHost ?? '127.0.0.1',
    port: opts.drachtioPort,
    secret: opts.drachtioSecret,
    version: ENGINE_VERSION,
    logger,
    handler: {
      hostports: () => local.hostports(),
      onSip: (session, msgId, txnId, dialogId, routeUrl, sip) => onAppSip(session, msgId, txnId, dialogId, routeUrl, sip),
      onProxy: (session, msgId, token, sip) => proxies.onCommand(session, msgId, token, sip),
      onSessionClosed: (session) => onSessionClosed(session),
    },
  })
  const ctx: CoreContext = {
    transport,
    txns,
    dialogs,
    wire,
    stats,
    logger,
    server: new ServerEntries(),
    client: new ClientEntries(),
    appResponseTimeoutMs: opts.appResponseTimeoutMs ?? 64_000,
    timers,
    targets: new SipTargetResolver({
      lookup: nodeDnsLookup({ servers: opts.dnsServers }),
      usable: new Set(opts.tls ? ['udp', 'tcp', 'tls'] : ['udp', 'tcp']),
      family: opts.sipHost.includes(':') ? 6 : 4,
      hosts: readHostsFile(),
    }),
  }
  const subscriptions = new Subscriptions(ctx, opts.subscriptionGraceMs ?? 64 * timers.T1)
  const serverSide = new ServerSide(ctx, local, subscriptions)
  const clientSide = new ClientSide(ctx, local, subscriptions)
  serverSide.byeSender = clientSide
  const proxies = new ProxyController(ctx, local)

  function onNetworkMessage(inbound: Inbound): void {
    if (inbound.msg.kind === 'request') {
      if (!proxies.onRequest(inbound)) serverSide.onRequest(inbound)
      return
    }
    const res = inbound.msg
    const txn = txns.matchClient(res)
    if (txn) return txn.onResponse(res, inbound.raw)
    if (proxies.onResponse(inbound)) return
    if (isInvite2xx(res)) return reAck(res)
    stats.strayResponses++
  }

  /** A 2xx retransmission after the client transaction is gone: ACK it again (§A.6). */
  function reAck(res: SipResponse): void {
    const callId = getHeader(res, 'call-id') ?? ''
    const d = dialogs.match(callId, getTag(getHeader(res, 'from') ?? '') ?? '', getTag(getHeader(res, 'to') ?? '') ?? '')
    if (d?.lastAck) transport.sendQuietly(d.lastAck, d.peer)
    else stats.strayResponses++
  }

  function onAppSip(session: AppSession, msgId: string, txnId: string, dialogId: string, routeUrl: string, sip: Buffer): void {
    const msg = parseAppMessage(sip)
    if (!msg) return session.reply(msgId, 'NOK|unable to parse SIP message')
    if (msg.kind === 'response') {
      if (!txnId) return session.reply(msgId, 'NOK|Response not sent due to unknown transaction')
      return serverSide.onAppResponse(session, msgId, txnId, msg)
    }
    clientSide.onAppRequest(session, msgId, txnId, dialogId, routeUrl, msg as SipRequest)
  }

  /** §A.5: in-dialog requests for a vanished app get 481; its dialogs are forgotten. */
  function onSessionClosed(session: AppSession): void {
    for (const d of dialogs.all()) if (d.owner === session) dialogs.remove(d)
    logger.info({ app: session.remote }, 'app disconnected')
  }

  return {
    async start() {
      await transport.start()
      try {
        await wire.start()
      } catch (err) {
        await transport.stop()
        throw err
      }
      logger.info({ sip: `${opts.sipHost}:${opts.sipPort}`, tls: opts.tls ? `${opts.sipHost}:${opts.tls.port}` : undefined, drachtio: `${opts.drachtioHost ?? '127.0.0.1'}:${opts.drachtioPort}` }, 'SIP engine listening')
    },
    async stop() {
      proxies.close()
      txns.destroyAll()
      clientSide.close()
      for (const e of ctx.server.all()) ctx.server.remove(e.txnId)
      for (const d of dialogs.all()) dialogs.remove(d)
      await wire.stop()
      await transport.stop()
    },
    counts() {
      return {
        transactions: txns.activeCount(),
        transactionsLingering: txns.totalCount(),
        dialogs: dialogs.size,
        subscriptions: subscriptions.count(),
        sipConnections: transport.connectionCount,
        appConnections: wire.sessionCount,
        pendingRequests: ctx.server.pendingCount() + ctx.client.pendingCount(),
        proxies: proxies.count,
      }
    },
    stats: () => ({ ...stats }),
  }
}

function isInvite2xx(res: SipResponse): boolean {
  return res.status >= 200 && res.status < 300 && parseCSeq(getHeader(res, 'cseq') ?? '0 X').method === 'INVITE'
}
