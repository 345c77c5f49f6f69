import type { Call } from '../../../call/call.js'
import { rfc2822, twilioCallStatus, twilioDirection } from '../../../app/dialects/twilio-params.js'

/** Where a dialect's routes live: Twilio `/2010-04-01`, SignalWire `/api/laml/2010-04-01`, Restcomm `/restcomm/2012-04-24`. */
export interface TwilioFlavor {
  /** the path prefix before `/Accounts/…` */
  prefix: string
  /** the api_version field */
  apiVersion: string
  /** Restcomm adds Mute and MoveConnectedCallLeg to the update */
  restcomm: boolean
}

/**
 * A call as Twilio's Call resource (seed 003): sid, account_sid, parent_call_sid, status
 * (queued, ringing, in-progress, completed, busy, failed, no-answer, canceled),
 * direction (inbound, outbound-api, outbound-dial), from/to and their formatted forms,
 * RFC 2822 dates, duration in seconds, uri and subresource_uris under the flavor's prefix.
 */
export function callResource(call: Call, flavor: TwilioFlavor): Record<string, unknown> {
  const d = call.describe()
  const base = `${flavor.prefix}/Accounts/${d.account_sid}/Calls/${d.call_sid}`
  const ended = d.end_time !== null
  return {
    sid: d.call_sid,
    account_sid: d.account_sid,
    parent_call_sid: d.parent_call_sid,
    status: twilioCallStatus(d.call_status, d.direction),
    direction: twilioDirection(call),
    from: d.from,
    to: d.to,
    from_formatted: d.from,
    to_formatted: d.to,
    formatted_from: d.from,
    formatted_to: d.to,
    caller_name: d.caller_name,
    forwarded_from: null,
    phone_number_sid: null,
    date_created: rfc2822(d.start_time),
    date_updated: rfc2822(new Date()),
    start_time: rfc2822(d.answer_time ?? d.start_time),
    end_time: rfc2822(d.end_time),
    duration: ended ? String(d.duration) : null,
    answered_by: null,
    annotation: null,
    api_version: flavor.apiVersion,
    price: null,
    price_unit: 'USD',
    queue_time: '0',
    group_sid: null,
    trunk_sid: null,
    uri: `${base}.json`,
    subresource_uris: {
      notifications: `${base}/Notifications.json`,
      recordings: `${base}/Recordings.json`,
    },
  }
}
