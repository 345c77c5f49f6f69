import type { Call } from '../../call/call.js'
import type { CallDescription } from '../../call/call-description.js'
import { LivecallError } from '../../errors/index.js'
import type { AppDeps } from '../app-deps.js'
import { CallSession } from '../call-session.js'
import type { CallEventSink } from '../events/call-events.js'
import { describeUpdate } from '../events/describe-update.js'
import type { CallUpdate, UpdateOutcome } from './call-update.js'
import type { LiveContext } from './live-context.js'
import { applyAnswer } from './ops/answer.js'
import { applyConfHold, applyConfMute } from './ops/conference.js'
import { applyDelete, applyHangup, applyNoAnswer } from './ops/hangup.js'
import { applyHold } from './ops/hold.js'
import { applyListen } from './ops/listen.js'
import { applyMute } from './ops/mute.js'
import { applyRecord } from './ops/record.js'
import { applyReject } from './ops/reject.js'
import { applyChildRedirect, applyRedirect } from './ops/redirect.js'
import { applyCancel } from './ops/cancel.js'
import { applyReplace } from './ops/replace-app.js'
import { applySipRequest } from './ops/sip-request.js'
import { applyTransfer } from './ops/transfer.js'
import { applyWhisper } from './ops/whisper.js'
import { placeApiCall, type CreateCallRequest } from './create-call.js'

/**
 * Live call control (SPEC §5) on the call core, for every dialect: find the call (404),
 * then, in the call's own command queue (two updates on one call never interleave),
 * check the update against the call's state as it is at that moment (409) and apply it.
 * It resolves only when the state-critical part has happened (BYE/CANCEL sent, media
 * muted, re-INVITE answered, new app fetched and started); a failure leaves the call as
 * it was or is reported.
 */
export class LiveControl {
  private readonly ctx: LiveContext

  constructor(
    private readonly deps: AppDeps,
    private readonly sessions: Map<string, CallSession>,
    /** the call event stream: every applied update is reported there */
    private readonly events?: CallEventSink,
  ) {
    this.ctx = { deps, sessions, sessionFor: (call) => this.sessionFor(call) }
  }

  async find(accountSid: string, callSid: string): Promise<Call> {
    const call = await this.deps.registry.get(accountSid, callSid)
    if (!call) throw new LivecallError('LIVECALL_ERR_CALL_NOT_FOUND', `no call ${callSid} in progress for account ${accountSid}`)
    return call
  }

  async list(accountSid: string): Promise<CallDescription[]> {
    return (await this.deps.registry.list(accountSid)).map((c) => c.describe())
  }

  async describe(accountSid: string, callSid: string): Promise<CallDescription> {
    return (await this.find(accountSid, callSid)).describe()
  }

  async update(accountSid: string, callSid: string, update: CallUpdate): Promise<UpdateOutcome> {
    const call = await this.find(accountSid, callSid)
    return call.commands.run(async () => {
      await call.answerSettled()
      if (call.ended) throw new LivecallError('LIVECALL_ERR_CALL_ENDED', `call ${callSid} has ended (${call.state})`)
      try {
        const outcome = await this.apply(call, update)
        if (update.whisper) await applyWhisper(call, update.whisper)
        this.events?.publish(call.accountSid, { type: 'update', call_sid: call.sid, update: describeUpdate(update) })
        return outcome
      } catch (err) {
        throw endedMeanwhile(call, err)
      }
    })
  }

  /** DELETE: hang up whatever the state. */
  async hangup(accountSid: string, callSid: string): Promise<void> {
    const call = await this.find(accountSid, callSid)
    await call.commands.run(() => applyDelete(call))
    this.events?.publish(call.accountSid, { type: 'update', call_sid: call.sid, update: describeUpdate({ op: { kind: 'delete' } }) })
  }

  /** POST …/Calls: dial out; the app runs when answered. Resolves with the new call's sid once the INVITE is on its way. */
  async create(accountSid: string, req: CreateCallRequest): Promise<string> {
    if (accountSid !== this.deps.settings.accountSid) {
      throw new LivecallError('LIVECALL_ERR_FORBIDDEN', `the API key is not valid for account ${accountSid}`)
    }
    return placeApiCall(this.ctx, req)
  }

  private async apply(call: Call, { op }: CallUpdate): Promise<UpdateOutcome> {
    switch (op.kind) {
      case 'redirect': await applyRedirect(this.ctx, call, op); return {}
      case 'childRedirect': await applyChildRedirect(this.ctx, call, op.childCallHook); return {}
      case 'hangup': await applyHangup(call); return {}
      case 'noAnswer': await applyNoAnswer(call); return {}
      case 'confHold': await applyConfHold(this.ctx, call, op.hold, op.waitHook); return {}
      case 'confMute': await applyConfMute(this.ctx, call, op.mute); return {}
      case 'listen': await applyListen(call, op.pause); return {}
      case 'mute': await applyMute(call, op.mute); return {}
      case 'hold': await applyHold(this.ctx, call, op.hold, op.waitHook); return {}
      case 'record': return applyRecord(this.ctx, call, op.action, op.format)
      case 'sipRequest': return applySipRequest(call, op)
      case 'whisper': return {}
      case 'answer': await applyAnswer(call); return {}
      case 'reject': await applyReject(call, op.status); return {}
      case 'transfer': return applyTransfer(this.ctx, call, op)
      case 'replace': await applyReplace(this.ctx, call, op.steps); return {}
      case 'cancel': await applyCancel(call); return {}
    }
  }

  private sessionFor(call: Call): CallSession {
    let session = this.sessions.get(call.sid)
    if (!session) {
      session = new CallSession(this.deps, call)
      this.sessions.set(call.sid, session)
      call.onState((c) => {
        if (c.ended) this.sessions.delete(c.sid)
      })
    }
    return session
  }
}

/**
 * An update that failed because the call ended while it ran (the hook fetch or the media
 * step aborted by the call's signal) is a 409 call ended, not an internal error.
 */
function endedMeanwhile(call: Call, err: unknown): unknown {
  if (err instanceof LivecallError || !call.ended) return err
  return new LivecallError('LIVECALL_ERR_CALL_ENDED', `call ${call.sid} ended while the update ran (${call.state})`)
}
