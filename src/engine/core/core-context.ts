import type { Logger } from 'pino'
import type { DialogTable } from '../dialog/dialog-table.js'
import type { EngineStats } from '../transport/engine-stats.js'
import type { TransportLayer } from '../transport/transport-layer.js'
import type { TransactionLayer } from '../transaction/transaction-layer.js'
import type { TimerValues } from '../transaction/timer-values.js'
import type { WireServer } from '../wire/wire-server.js'
import type { SipTargetResolver } from '../dns/resolve-sip-target.js'
import type { ClientEntries } from './client-entries.js'
import type { ServerEntries } from './server-entries.js'

/** Everything the drachtio-semantics handlers share; built once by the engine. */
export interface CoreContext {
  transport: TransportLayer
  txns: TransactionLayer
  dialogs: DialogTable
  wire: WireServer
  stats: EngineStats
  logger: Logger
  server: ServerEntries
  client: ClientEntries
  /** how long an app may take to answer a new request before its state is dropped (§A.6: 64 s) */
  appResponseTimeoutMs: number
  /** T1/T2/T4 (RFC 3261 §17.1.1.1), also for the dialog's RFC 3262 timers */
  timers: TimerValues
  /** RFC 3263 resolution of request targets named by host */
  targets: SipTargetResolver
}
