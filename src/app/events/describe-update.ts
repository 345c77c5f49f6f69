import type { CallUpdate } from '../live-control/call-update.js'
import type { PlaySource } from '../../media/types.js'
import type { Hook } from '../webhook/index.js'

/** A hook as events show it: its URL and method, never its credentials. */
function hookUrl(hook: Hook | undefined): { url: string; method?: string } | undefined {
  if (hook === undefined) return undefined
  return typeof hook === 'string' ? { url: hook } : { url: hook.url, method: hook.method?.toUpperCase() }
}

function source(s: PlaySource): Record<string, unknown> {
  switch (s.type) {
    case 'say': return { verb: 'say', text: s.text }
    case 'url': return { verb: 'play', url: s.url }
    case 'file': return { verb: 'play', file: s.path }
    case 'tone': return { verb: 'play', tone: s.freqs }
    case 'silence': return { verb: 'pause', length_ms: s.durationMs }
  }
}

/**
 * An applied update as the event stream reports it: the operation's kind and values
 * (call-update.ts), JSON-safe, hooks without credentials, and the whisper's sources.
 */
export function describeUpdate(update: CallUpdate | { op: { kind: 'delete' }; whisper?: undefined }): Record<string, unknown> {
  const op = update.op
  let values: Record<string, unknown>
  switch (op.kind) {
    case 'redirect':
      values = { call_hook: hookUrl(op.callHook), call_status_hook: hookUrl(op.callStatusHook), child_call_hook: hookUrl(op.childCallHook), dialect: op.dialect?.name }
      break
    case 'childRedirect': values = { child_call_hook: hookUrl(op.childCallHook) }; break
    case 'confHold': case 'hold': values = { hold: op.hold, wait_hook: hookUrl(op.waitHook) }; break
    case 'replace': values = { verbs: op.steps.map((s) => s.name) }; break
    case 'transfer': values = { target: op.target, caller_id: op.callerId }; break
    case 'sipRequest': values = { method: op.method, headers: op.headers, body: op.body }; break
    default: {
      values = Object.fromEntries(Object.entries(op).filter(([k]) => k !== 'kind'))
    }
  }
  const out: Record<string, unknown> = { kind: op.kind }
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out[k] = v
  if (update.whisper) out.whisper = update.whisper.sources.map(source)
  return out
}
