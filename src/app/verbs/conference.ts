import { RoomState, type ConferenceRoom, type RoomStatusHook } from '../conference/conference-room.js'
import type { RoomMember } from '../conference/room-member.js'
import { parseConferenceOptions, type ConferenceOptions } from './conference/conference-options.js'
import { playHookPrompts } from './conference/hook-prompts.js'
import { ConferenceStatusNotifier } from './conference/status-notifier.js'
import { playWaitHook } from './conference/wait-music.js'
import { mediaReady } from './media-ready.js'
import type { VerbContext, VerbDefinition } from './verb.js'

/**
 * jambonz `conference` (feature-server lib/tasks/conference.js): the call joins the room
 * `name`. A member with `startConferenceOnEnter` (the default) starts a waiting room; a
 * member with `startConferenceOnEnter: false` arriving before the start waits, hearing
 * the `waitHook`'s play/say/pause verbs in a loop, and joins when a starter arrives.
 * The verb lasts as long as the member is in the room: it ends when the room ends (a
 * member with `endConferenceOnExit` left: the app goes on with its next verb, after the
 * actionHook), or when its signal aborts (hangup, redirect, live update; no actionHook
 * then). The member is always taken out of the room.
 */
export const conference: VerbDefinition<ConferenceOptions> = {
  name: 'conference',
  parse: parseConferenceOptions,
  async run(ctx, opts, signal) {
    const endpoint = await mediaReady(ctx)
    const own: RoomStatusHook | undefined =
      opts.statusHook && opts.statusEvents.length > 0 ? { hook: ctx.resolve(opts.statusHook), events: new Set(opts.statusEvents) } : undefined
    const room = ctx.deps.conferences.open(opts.name)
    const status = new ConferenceStatusNotifier(ctx, room, own)
    if (room.state === RoomState.Waiting) {
      if (opts.startConferenceOnEnter) {
        room.start(own)
        status.notify('start', 0)
      } else if (!(await waitForStart(ctx, room, opts, signal))) {
        return
      }
    }
    const member = seat(ctx, room, opts)
    if (member) await attend(ctx, room, member, opts, status, signal, endpoint)
    if (!signal.aborted) await ctx.actionHook(opts.actionHook, {})
  },
}

/** Wait in the room's wait list with the waitHook playing; true once the room started. */
async function waitForStart(ctx: VerbContext, room: ConferenceRoom, opts: ConferenceOptions, signal: AbortSignal): Promise<boolean> {
  ctx.logger.info({ conference: opts.name }, 'conference not started; waiting for a member with startConferenceOnEnter')
  const music = new AbortController()
  const playing = opts.waitHook ? playWaitHook(ctx, opts.waitHook, AbortSignal.any([signal, music.signal])) : Promise.resolve()
  const started = await room.waitForStart(ctx.call.sid, signal)
  music.abort()
  await playing
  return started && !signal.aborted
}

/** A seat in the room, or undefined when the room ended meanwhile or is full (maxParticipants). */
function seat(ctx: VerbContext, room: ConferenceRoom, opts: ConferenceOptions): RoomMember | undefined {
  if (opts.maxParticipants !== undefined && room.size >= opts.maxParticipants) {
    ctx.logger.info({ conference: opts.name, max: opts.maxParticipants }, 'conference is full; not joining')
    return undefined
  }
  const member = room.join({ callSid: ctx.call.sid, moderator: opts.startConferenceOnEnter, endConferenceOnExit: opts.endConferenceOnExit, muted: opts.joinMuted })
  if (!member) ctx.logger.info({ conference: opts.name }, 'conference ended before this call could join')
  return member
}

/** In the room: enterHook, the audio, until the room ends or the signal aborts; then out, always. */
async function attend(
  ctx: VerbContext,
  room: ConferenceRoom,
  member: RoomMember,
  opts: ConferenceOptions,
  status: ConferenceStatusNotifier,
  signal: AbortSignal,
  endpoint: Awaited<ReturnType<typeof mediaReady>>,
): Promise<void> {
  const inRoom = AbortSignal.any([signal, member.kicked])
  let joined = false
  try {
    if (opts.enterHook) {
      await playHookPrompts(ctx, opts.enterHook, inRoom).catch((err: unknown) => {
        if (!inRoom.aborted) ctx.logger.warn({ err: (err as Error).message }, 'conference enterHook failed; joining anyway')
      })
    }
    if (inRoom.aborted) return
    await room.inJoinTurn(inRoom, async () => {
      if (inRoom.aborted) return
      const muted = member.muted
      member.attach(await endpoint.joinConference(room.mediaName, { muted }), muted)
      joined = true
      status.notify('join', room.joinedCount)
    })
    if (!joined) return
    await untilAborted(inRoom)
  } finally {
    await member.media?.leave().catch((err: unknown) => ctx.logger.warn({ err }, 'leaving the conference audio failed'))
    const { remaining, ended } = room.leave(member.callSid)
    if (joined) status.notify('leave', remaining)
    if (ended) status.notify('end', remaining)
  }
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}
