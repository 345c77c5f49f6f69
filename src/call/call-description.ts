/** A hook as the call layer stores it (plain data; app/webhook resolves and calls it). */
export interface HookRef {
  url: string
  method: 'GET' | 'POST'
  username?: string
  password?: string
}

export type CallDirection = 'inbound' | 'outbound'

/**
 * SPEC §3: the call description POSTed to the call hook and, with `call_status`,
 * `sip_status` and `duration`, to the status hook; also what `GET …/Calls` lists.
 * Field names follow jambonz's webhook payload.
 */
export interface CallDescription {
  call_sid: string
  account_sid: string
  direction: CallDirection
  from: string
  to: string
  caller_name: string
  call_id: string
  sip_status: number | null
  sip_reason: string | null
  call_status: string
  parent_call_sid: string | null
  originating_sip_ip: string | null
  originating_sip_port: number | null
  local_sip_address: string | null
  sip: { headers: Record<string, string> }
  duration: number
  timestamp: string
  start_time: string
  answer_time: string | null
  end_time: string | null
  /** why the call ended when livecall ended it (an invalid document, a failed webhook, …) */
  reason?: string
  /** tags set by the `tag` verb */
  customerData?: Record<string, unknown>
}
