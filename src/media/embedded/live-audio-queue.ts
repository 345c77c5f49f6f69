/** At most this much audio waits to be played (the far side sends faster than real time). */
const MAX_QUEUED_FRAMES = 50 * 30

/**
 * Audio pushed by a live source (listen's bidirectional audio: a voice bot answering),
 * played to the endpoint's far end one 20 ms frame per pacer tick while not empty.
 */
export class LiveAudioQueue {
  private readonly frames: Int16Array[] = []
  dropped = 0

  get empty(): boolean {
    return this.frames.length === 0
  }

  push(frame: Int16Array): void {
    if (this.frames.length >= MAX_QUEUED_FRAMES) {
      this.dropped++
      return
    }
    this.frames.push(frame)
  }

  shift(): Int16Array | null {
    return this.frames.shift() ?? null
  }

  clear(): void {
    this.frames.length = 0
  }
}
