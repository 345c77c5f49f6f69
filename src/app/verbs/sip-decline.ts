import { LivecallError } from '../../errors/index.js'
import { appInvalid } from './verb-errors.js'
import { headersOf, optString } from './verb-options.js'
import type { VerbDefinition } from './verb.js'

interface DeclineOptions {
  status: number
  reason?: string
  headers: Record<string, string>
}

/** jambonz `sip:decline`: reject an unanswered inbound call with a final status (4xx–6xx). */
export const sipDecline: VerbDefinition<DeclineOptions> = {
  name: 'sip:decline',
  parse(data) {
    const status = Number(data.status)
    if (!Number.isInteger(status) || status < 400 || status > 699) throw appInvalid(`status must be 400–699, got ${String(data.status)}`)
    return { status, reason: optString(data, 'reason'), headers: headersOf(data) }
  },
  async run(ctx, opts) {
    ctx.stop()
    if (ctx.call.answered) throw new LivecallError('LIVECALL_ERR_CALL_STATE', 'sip:decline: the call is already answered')
    await ctx.call.hangup({ status: opts.status, reason: opts.reason ?? `declined ${opts.status}`, reasonPhrase: opts.reason, headers: opts.headers })
  },
}
