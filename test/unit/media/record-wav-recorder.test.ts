import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startWavRecorder, WavRecorderState } from '../../../src/media/embedded/record/index.js'

function frame(value: number): Int16Array {
  return new Int16Array(160).fill(value)
}

interface Wav {
  channels: number
  sampleRate: number
  bitsPerSample: number
  byteRate: number
  blockAlign: number
  riffSize: number
  dataSize: number
  left: Int16Array
  right: Int16Array
}

function parseWav(b: Buffer): Wav {
  expect(b.toString('ascii', 0, 4)).toBe('RIFF')
  expect(b.toString('ascii', 8, 12)).toBe('WAVE')
  expect(b.toString('ascii', 12, 16)).toBe('fmt ')
  expect(b.readUInt16LE(20)).toBe(1)
  expect(b.toString('ascii', 36, 40)).toBe('data')
  const dataSize = b.readUInt32LE(40)
  const n = dataSize / 4
  const left = new Int16Array(n)
  const right = new Int16Array(n)
  for (let i = 0; i < n; i++) {
    left[i] = b.readInt16LE(44 + i * 4)
    right[i] = b.readInt16LE(46 + i * 4)
  }
  return {
    channels: b.readUInt16LE(22),
    sampleRate: b.readUInt32LE(24),
    byteRate: b.readUInt32LE(28),
    blockAlign: b.readUInt16LE(32),
    bitsPerSample: b.readUInt16LE(34),
    riffSize: b.readUInt32LE(4),
    dataSize,
    left,
    right,
  }
}

describe('WAV recorder', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'livecall-rec-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('writes a stereo 8 kHz 16-bit WAV whose header carries the final sizes', async () => {
    const path = join(dir, 'call.wav')
    const rec = await startWavRecorder({ path })
    for (let i = 0; i < 120; i++) rec.push(frame(1000), frame(-2000))
    const result = await rec.stop()
    expect(result).toEqual({ path, durationMs: 2400 })
    const bytes = await readFile(path)
    const wav = parseWav(bytes)
    expect(wav).toMatchObject({ channels: 2, sampleRate: 8000, bitsPerSample: 16, byteRate: 32000, blockAlign: 4 })
    expect(wav.dataSize).toBe(120 * 640)
    expect(wav.riffSize).toBe(36 + wav.dataSize)
    expect(bytes.length).toBe(44 + wav.dataSize)
  })

  it('keeps the caller on the left channel and the callee on the right', async () => {
    const path = join(dir, 'sep.wav')
    const rec = await startWavRecorder({ path })
    const ramp = new Int16Array(160).map((_, i) => i * 100)
    rec.push(ramp, null) // only the caller speaks
    rec.push(null, frame(-7)) // only the callee speaks
    await rec.stop()
    const wav = parseWav(await readFile(path))
    expect(Array.from(wav.left.subarray(0, 160))).toEqual(Array.from(ramp))
    expect(wav.right.subarray(0, 160).every((s) => s === 0)).toBe(true)
    expect(wav.left.subarray(160).every((s) => s === 0)).toBe(true)
    expect(wav.right.subarray(160).every((s) => s === -7)).toBe(true)
  })

  it('does not record while paused: duration excludes the paused time', async () => {
    const path = join(dir, 'pause.wav')
    const rec = await startWavRecorder({ path })
    for (let i = 0; i < 50; i++) rec.push(frame(1), frame(1))
    rec.pause()
    expect(rec.paused).toBe(true)
    for (let i = 0; i < 100; i++) rec.push(frame(2), frame(2)) // 2 s said while paused
    rec.resume()
    expect(rec.state).toBe(WavRecorderState.Recording)
    for (let i = 0; i < 25; i++) rec.push(frame(3), frame(3))
    const { durationMs } = await rec.stop()
    expect(durationMs).toBe(1500)
    const wav = parseWav(await readFile(path))
    expect(wav.left.length).toBe(1500 * 8)
    expect(wav.left.includes(2)).toBe(false)
    expect(wav.left[50 * 160 - 1]).toBe(1)
    expect(wav.left[50 * 160]).toBe(3)
  })

  it('streams to disk while recording instead of holding the call in memory', async () => {
    const path = join(dir, 'long.wav')
    const rec = await startWavRecorder({ path, framesPerWrite: 50 })
    for (let i = 0; i < 500; i++) rec.push(frame(i % 100), frame(-(i % 100)))
    await new Promise((r) => setTimeout(r, 50))
    const partial = await readFile(path)
    expect(partial.length).toBeGreaterThanOrEqual(44 + 450 * 640) // already on disk before stop
    const { durationMs } = await rec.stop()
    expect(durationMs).toBe(10_000)
    expect(rec.stats()).toMatchObject({ framesWritten: 500, framesDropped: 0 })
  })

  it('stop() is idempotent and push() after stop is ignored', async () => {
    const path = join(dir, 'idem.wav')
    const rec = await startWavRecorder({ path })
    rec.push(frame(5), frame(5))
    const a = await rec.stop()
    rec.push(frame(6), frame(6))
    const b = await rec.stop()
    expect(a).toEqual(b)
    expect(parseWav(await readFile(path)).dataSize).toBe(640)
  })

  it('rejects with LIVECALL_ERR_RECORDING_FAILED when the directory does not exist', async () => {
    await expect(startWavRecorder({ path: join(dir, 'missing', 'x.wav') })).rejects.toMatchObject({
      code: 'LIVECALL_ERR_RECORDING_FAILED',
    })
  })

  it('pads short frames with silence and counts them', async () => {
    const path = join(dir, 'short.wav')
    const rec = await startWavRecorder({ path })
    rec.push(new Int16Array(80).fill(9), frame(1))
    await rec.stop()
    const wav = parseWav(await readFile(path))
    expect(wav.left[79]).toBe(9)
    expect(wav.left[80]).toBe(0)
    expect(rec.stats().framesMalformed).toBe(1)
  })
})
