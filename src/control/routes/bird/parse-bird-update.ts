import type { Logger } from 'pino'
import { birdInvalid, onlyKeys } from '../../../app/bird/bird-options.js'
import { parseCallFlow } from '../../../app/bird/call-flow.js'
import type { CallUpdate } from '../../../app/live-control/call-update.js'

/**
 * Bird's PatchCall body (seed 002) → the native CallUpdate:
 *  - `status: "completed"` → hangup (BYE; 409 unless answered);
 *  - `callFlow: [...]` → replace: the commands replace the running app.
 * `status: null` is the same as no status (Bird: nullable). The seed does not say what
 * both together mean, so both together are a 400, as is neither; an unknown property is
 * a 400 (Bird: additionalProperties false).
 */
export function parseBirdUpdate(raw: unknown, opts: { callSid: string; logger: Logger }): CallUpdate {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw birdInvalid('body', 'must be a JSON object with status and/or callFlow')
  const body = raw as Record<string, unknown>
  onlyKeys(body, ['status', 'callFlow'], 'body')
  const status = body.status ?? undefined
  if (status !== undefined && status !== 'completed') throw birdInvalid('status', `must be "completed" (or null), got ${JSON.stringify(status)}`)
  const flow = body.callFlow ?? undefined
  if (status !== undefined && flow !== undefined) throw birdInvalid('status', 'give status or callFlow, not both (hang up, or run new commands)')
  if (status === 'completed') return { op: { kind: 'hangup' } }
  if (flow === undefined) throw birdInvalid('body', 'give status "completed" or a callFlow')
  return { op: { kind: 'replace', steps: parseCallFlow(flow, opts) } }
}
