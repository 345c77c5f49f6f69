import type { PlaySource } from '../../media/types.js'
import type { Hook } from '../webhook/index.js'
import { mediaReady } from './media-ready.js'
import { playSource } from './play-source.js'
import { loopCount, optBoolean, optHook } from './verb-options.js'
import type { VerbDefinition } from './verb.js'

export interface PlayOptions {
  sources: PlaySource[]
  loop: number
  earlyMedia: boolean
  actionHook?: Hook
}

/**
 * jambonz `play`: one URL or a list, played in order, `loop` times ("forever" until the
 * verb is interrupted). The actionHook gets `reason` (playCompleted / playFailed /
 * playInterrupted) and `playback_seconds`.
 */
export const play: VerbDefinition<PlayOptions> = {
  name: 'play',
  parse(data) {
    const urls = Array.isArray(data.url) ? data.url : [data.url]
    return {
      sources: urls.map((u) => playSource(String(u))),
      loop: loopCount(data),
      earlyMedia: optBoolean(data, 'earlyMedia') ?? false,
      actionHook: optHook(data, 'actionHook'),
    }
  },
  async run(ctx, opts, signal) {
    const endpoint = await mediaReady(ctx, opts.earlyMedia)
    let playedMs = 0
    let reason = 'playCompleted'
    try {
      for (let i = 0; i < opts.loop && !signal.aborted; i++) {
        for (const source of opts.sources) {
          const r = await endpoint.play(source, signal)
          playedMs += r.playedMs
          if (r.aborted) break
        }
      }
      if (signal.aborted) reason = 'playInterrupted'
    } catch (err) {
      reason = 'playFailed'
      if (!opts.actionHook) throw err
      ctx.logger.warn({ err: (err as Error).message }, 'play failed')
    }
    if (!signal.aborted || reason !== 'playInterrupted') {
      await ctx.actionHook(opts.actionHook, { reason, playback_seconds: Math.round(playedMs / 1000) })
    }
  },
}
