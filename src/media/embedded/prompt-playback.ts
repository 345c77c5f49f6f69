import { FRAME_SAMPLES } from './frame-tap.js'

/**
 * One prompt being played: hands out 160-sample frames, looping `loops` times
 * (Infinity = until aborted). The last partial frame is padded with silence.
 */
export class PromptPlayback {
  private position = 0
  private loopsDone = 0
  framesPlayed = 0

  constructor(
    private readonly pcm: Int16Array,
    private readonly loops: number,
  ) {}

  get playedMs(): number {
    return this.framesPlayed * 20
  }

  /** The next frame, or null when the prompt is over. */
  nextFrame(): Int16Array | null {
    if (this.pcm.length === 0) return null
    if (this.position >= this.pcm.length) {
      this.loopsDone++
      if (this.loopsDone >= this.loops) return null
      this.position = 0
    }
    const end = this.position + FRAME_SAMPLES
    let frame: Int16Array
    if (end <= this.pcm.length) {
      frame = this.pcm.subarray(this.position, end)
    } else {
      frame = new Int16Array(FRAME_SAMPLES)
      frame.set(this.pcm.subarray(this.position))
    }
    this.position = end
    this.framesPlayed++
    return frame
  }
}

/** PlaySource.loop → number of plays: undefined → 1, 0 → forever (as jambonz's play verb). */
export function loopCount(loop: number | undefined): number {
  if (loop === undefined) return 1
  if (loop === 0) return Infinity
  return Math.max(1, Math.floor(loop))
}
