/**
 * The length of a WAV that FreeSWITCH has finished writing. FreeSWITCH closes a
 * recording (libsndfile rewrites the RIFF sizes) when `uuid_record … stop` removes its
 * media bug, or on its own when the channel hangs up — the latter can come after livecall
 * hears of the hangup. A file is closed once its data chunk's size matches the bytes on
 * disk; its duration is then read from the file, as the embedded engine reports it, not
 * from wall-clock time (recording starts with the first media frame, not the command).
 *
 * The path is on the FreeSWITCH host; livecall sees it through the shared RECORDINGS_DIR
 * volume (docs/production.md). When it cannot read it, the caller falls back to wall-clock.
 */
import { open } from 'node:fs/promises'

const POLL_MS = 50
const HEADER_BYTES = 4096

/**
 * Duration in ms once the file at `path` is a closed PCM WAV; undefined after `waitMs`, or
 * at once when livecall cannot see the file (FreeSWITCH creates it at start: a path that is
 * missing here is on a volume livecall does not share).
 */
export async function closedWavDurationMs(path: string, waitMs: number): Promise<number | undefined> {
  const deadline = Date.now() + waitMs
  for (;;) {
    const ms = await readClosedDuration(path)
    if (ms !== 'still writing') return ms
    if (Date.now() >= deadline) return undefined
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

async function readClosedDuration(path: string): Promise<number | undefined | 'still writing'> {
  let file
  try {
    file = await open(path, 'r')
  } catch {
    return undefined
  }
  try {
    const { size } = await file.stat()
    const head = Buffer.alloc(Math.min(size, HEADER_BYTES))
    await file.read(head, 0, head.length, 0)
    return durationIfClosed(head, size) ?? 'still writing'
  } finally {
    await file.close()
  }
}

/** Walks the RIFF chunks for `fmt ` and `data`; undefined unless `data` ends the file exactly. */
export function durationIfClosed(head: Buffer, fileSize: number): number | undefined {
  if (head.length < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return undefined
  let bytesPerSecond = 0
  for (let at = 12; at + 8 <= head.length;) {
    const id = head.toString('ascii', at, at + 4)
    const size = head.readUInt32LE(at + 4)
    if (id === 'fmt ' && at + 16 <= head.length) bytesPerSecond = head.readUInt32LE(at + 16)
    if (id === 'data') {
      const closed = at + 8 + size === fileSize && bytesPerSecond > 0
      return closed ? Math.round((size / bytesPerSecond) * 1000) : undefined
    }
    at += 8 + size + (size % 2)
  }
  return undefined
}
