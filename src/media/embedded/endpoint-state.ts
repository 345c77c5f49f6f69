import { LivecallError } from '../../errors/index.js'

/**
 * Life of an embedded endpoint:
 *
 *   New ──setRemoteSdp(answer)──▶ Active ──close()──▶ Closed
 *    │  (created from an offer: straight to Active)      ▲
 *    └────────────────────close()────────────────────────┘
 *
 * New: our offer is out, the far end is unknown (nothing is sent, received RTP is dropped).
 * Active: an offer/answer completed; re-INVITEs keep it Active.
 * Closed: ports released; every call rejects with LIVECALL_ERR_MEDIA_CLOSED.
 */
export enum EndpointState {
  New = 'new',
  Active = 'active',
  Closed = 'closed',
}

const ALLOWED: Record<EndpointState, readonly EndpointState[]> = {
  [EndpointState.New]: [EndpointState.Active, EndpointState.Closed],
  [EndpointState.Active]: [EndpointState.Closed],
  [EndpointState.Closed]: [],
}

export function canTransition(from: EndpointState, to: EndpointState): boolean {
  return ALLOWED[from].includes(to)
}

export function closedError(id: string): LivecallError {
  return new LivecallError('LIVECALL_ERR_MEDIA_CLOSED', `media endpoint ${id} is closed`, 409)
}

/**
 * What is muted, per direction (RFC-neutral; see docs/media.md): `Send` = the far end of
 * this endpoint hears comfort silence instead of us; `Receive` = what it says reaches
 * nobody (silence is passed on instead).
 */
export enum MuteState {
  None = 'none',
  Send = 'send',
  Receive = 'receive',
  Both = 'both',
}

export function muteWith(state: MuteState, dir: 'send' | 'receive' | 'both', on: boolean): MuteState {
  let send = state === MuteState.Send || state === MuteState.Both
  let receive = state === MuteState.Receive || state === MuteState.Both
  if (dir !== 'receive') send = on
  if (dir !== 'send') receive = on
  return send && receive ? MuteState.Both : send ? MuteState.Send : receive ? MuteState.Receive : MuteState.None
}
