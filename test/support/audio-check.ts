import { rms } from '../fixtures/audio/audio-test-kit.js'
import { toneRatio, type ReceivedPacket, type RtpPeer } from './rtp-peer.js'

export { rms, toneRatio }

/**
 * What a test hears at an RtpPeer over a time window. The signal maths is reused
 * (rms from the audio test kit, Goertzel `toneRatio` from rtp-peer); this only picks the
 * packets of a window and decodes them.
 */

/** The clock of `ReceivedPacket.at` (monotonic ms), to mark window starts. */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6

export interface AudioWindow {
  /** packets that arrived at or after this `nowMs()` time */
  since?: number
  /** packets that arrived before this `nowMs()` time */
  until?: number
  /** only the last `lastMs` ms (before `until`, or now) */
  lastMs?: number
}

/** The audio packets (telephone-events excluded) `peer` received in `w`. */
export function packetsIn(peer: RtpPeer, w: AudioWindow = {}): ReceivedPacket[] {
  const until = w.until ?? Infinity
  const since = Math.max(w.since ?? -Infinity, w.lastMs !== undefined ? Math.min(until, nowMs()) - w.lastMs : -Infinity)
  return peer.audio().filter((p) => p.at >= since && p.at < until)
}

/** Linear PCM (8 kHz) of what `peer` heard in `w`. */
export const heard = (peer: RtpPeer, w: AudioWindow = {}): Int16Array => peer.decode(packetsIn(peer, w))

export interface ToneCheck extends AudioWindow {
  /** share of the power at `freq` needed, default 0.5 */
  minRatio?: number
  /** fewer packets than this is "not heard", default 5 (100 ms) */
  minPackets?: number
}

/** True when `peer` heard a tone of `freq` Hz in `w` (Goertzel power ratio). */
export function hearsTone(peer: RtpPeer, freq: number, opts: ToneCheck = {}): boolean {
  const packets = packetsIn(peer, opts)
  if (packets.length < (opts.minPackets ?? 5)) return false
  return toneRatio(peer.decode(packets), freq) >= (opts.minRatio ?? 0.5)
}

/** True when `peer` heard nothing audible in `w`: no packets, or an RMS at most `maxRms` (default 100). */
export function isSilent(peer: RtpPeer, opts: AudioWindow & { maxRms?: number } = {}): boolean {
  return rms(heard(peer, opts)) <= (opts.maxRms ?? 100)
}

/** Wait until the last `windowMs` (default 200) of what `peer` heard is a tone of `freq`. */
export async function waitForTone(peer: RtpPeer, freq: number, opts: { windowMs?: number; timeoutMs?: number; minRatio?: number } = {}): Promise<void> {
  const windowMs = opts.windowMs ?? 200
  await peer.waitFor(() => hearsTone(peer, freq, { lastMs: windowMs, minRatio: opts.minRatio, minPackets: Math.floor(windowMs / 20) - 2 }), opts.timeoutMs ?? 5000, `a ${freq} Hz tone`)
}

/** Wait until the last `windowMs` (default 200) of what `peer` heard is silent (or nothing). */
export async function waitForSilence(peer: RtpPeer, opts: { windowMs?: number; timeoutMs?: number; maxRms?: number } = {}): Promise<void> {
  const windowMs = opts.windowMs ?? 200
  await peer.waitFor(() => isSilent(peer, { lastMs: windowMs, maxRms: opts.maxRms }), opts.timeoutMs ?? 5000, 'silence')
}

/** Wait until the last 300 ms `peer` heard are audible (speech: an RMS above 300). */
export async function waitForSound(peer: RtpPeer, timeoutMs = 10_000): Promise<void> {
  await peer.waitFor(() => rms(heard(peer, { lastMs: 300 })) > 300, timeoutMs, 'audible sound')
}
