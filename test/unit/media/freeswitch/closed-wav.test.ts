import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { closedWavDurationMs, durationIfClosed } from '../../../../src/media/freeswitch/closed-wav.js'
import { wavHeader } from '../../../../src/media/embedded/record/wav-header.js'

const stereo8k = { sampleRate: 8000, channels: 2, bitsPerSample: 16 } as const

describe('a WAV FreeSWITCH has closed', () => {
  const dirs: string[] = []
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  it('is closed when the data chunk ends the file; its duration comes from the data size', () => {
    const file = Buffer.concat([wavHeader(stereo8k, 32_000), Buffer.alloc(32_000)])
    expect(durationIfClosed(file.subarray(0, 44), file.length)).toBe(1000)
    // libsndfile writes a size of 0 at open and the real one at close
    expect(durationIfClosed(wavHeader(stereo8k, 0), 44 + 16_000)).toBeUndefined()
    expect(durationIfClosed(Buffer.from('not a wav at all'), 16)).toBeUndefined()
  })

  it('walks past chunks before data (LIST) and honours the pad byte', () => {
    const h = wavHeader({ sampleRate: 8000, channels: 1, bitsPerSample: 16 }, 1600)
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc'), Buffer.alloc(1)])
    const file = Buffer.concat([h.subarray(0, 36), list, h.subarray(36), Buffer.alloc(1600)])
    expect(durationIfClosed(file, file.length)).toBe(100)
  })

  it('waits for the header to be rewritten, and gives up on a file it cannot see', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'livecall-closed-wav-'))
    dirs.push(dir)
    const path = join(dir, 'r.wav')
    await writeFile(path, Buffer.concat([wavHeader(stereo8k, 0), Buffer.alloc(8000)]))
    setTimeout(() => void writeFile(path, Buffer.concat([wavHeader(stereo8k, 8000), Buffer.alloc(8000)])), 150)
    expect(await closedWavDurationMs(path, 2000)).toBe(250)
    expect(await closedWavDurationMs(path, 0)).toBe(250)
    expect(await closedWavDurationMs(join(dir, 'missing.wav'), 500)).toBeUndefined()
  })

  it('gives up after the wait on a file that stays open', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'livecall-closed-wav-'))
    dirs.push(dir)
    const path = join(dir, 'open.wav')
    await writeFile(path, Buffer.concat([wavHeader(stereo8k, 0), Buffer.alloc(800)]))
    expect(await closedWavDurationMs(path, 200)).toBeUndefined()
  })
})
