import { existsSync } from 'node:fs'
import { readFile, readdir, realpath } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { toneRatio } from '../../support/audio-check.js'
import { useLivecall } from '../../support/livecall-harness.js'
import { createCaller, hookedSid } from '../../support/parties.js'

interface Wav {
  channels: number
  sampleRate: number
  bitsPerSample: number
  riffSize: number
  dataBytes: number
  left: Int16Array
  right: Int16Array
}

/** Parse a canonical PCM WAV (RIFF, fmt, data) as a player would. */
function parseWav(buf: Buffer): Wav {
  expect(buf.toString('ascii', 0, 4)).toBe('RIFF')
  expect(buf.toString('ascii', 8, 12)).toBe('WAVE')
  expect(buf.toString('ascii', 12, 16)).toBe('fmt ')
  expect(buf.readUInt16LE(20)).toBe(1) // PCM
  const channels = buf.readUInt16LE(22)
  const sampleRate = buf.readUInt32LE(24)
  const bitsPerSample = buf.readUInt16LE(34)
  expect(buf.toString('ascii', 36, 40)).toBe('data')
  const dataBytes = buf.readUInt32LE(40)
  const frames = dataBytes / (channels * 2)
  const left = new Int16Array(frames)
  const right = new Int16Array(frames)
  for (let i = 0; i < frames; i++) {
    left[i] = buf.readInt16LE(44 + i * 4)
    right[i] = buf.readInt16LE(44 + i * 4 + 2)
  }
  return { channels, sampleRate, bitsPerSample, riffSize: buf.readUInt32LE(4), dataBytes, left, right }
}

describe('record verb: the call recorded to a WAV in RECORDINGS_DIR, announced to the status hook', () => {
  const h = useLivecall()

  it('records in the background while the app pauses, then plays; after hangup the WAV is complete, holds the caller (left) and the prompt (right), and the status hook got it', async () => {
    h().scaffold.route('/app', [
      { verb: 'record', path: 'calls/first.wav' },
      { verb: 'pause', length: 0.5 },
      { verb: 'play', url: 'tone_stream://500' },
    ])
    // the tone prompt plays 30 s: the caller hangs up after ~2 s of call
    const { phone, peer, call, close } = await createCaller(h(), { tone: 1000 })
    let sid: string
    let callMs: number
    try {
      const final = await call()
      const answeredAt = Date.now()
      expect(final).toMatch(/^SIP\/2\.0 200 OK/)
      sid = hookedSid(h())
      await peer.waitFor(() => peer.audio().length >= 100, 15_000, '2 s of prompt audio')
      expect(await phone.bye()).toMatch(/^SIP\/2\.0 200/)
      callMs = Date.now() - answeredAt
    } finally {
      await close()
    }
    const announced = await h().scaffold.waitFor((r) => r.path === '/status' && r.body?.call_sid === sid && r.body?.recording !== undefined, 15_000, 'the recording announcement')
    const file = join(await realpath(h().recordingsDir), 'calls', 'first.wav')
    expect(announced.body).toMatchObject({ call_sid: sid, call_status: 'completed', recording: { path: file } })
    const durationMs = announced.body.recording.duration_ms as number
    // the recording covers the call from its answer to the BYE (give or take scheduling)
    expect(Math.abs(durationMs - callMs)).toBeLessThan(1500)

    const buf = await readFile(file)
    const wav = parseWav(buf)
    expect(wav).toMatchObject({ channels: 2, sampleRate: 8000, bitsPerSample: 16 })
    expect(wav.dataBytes).toBe(buf.length - 44)
    expect(wav.riffSize).toBe(buf.length - 8)
    expect(Math.round((wav.dataBytes / 32_000) * 1000)).toBe(durationMs)
    // skip the first 200 ms (the peer starts a moment after the answer)
    expect(toneRatio(wav.left.subarray(1600), 1000, 8000)).toBeGreaterThan(0.5)
    expect(toneRatio(wav.right.subarray(1600), 500, 8000)).toBeGreaterThan(0.5)
  }, 40_000)

  it('a path with ".." makes the document invalid: nothing is recorded, the call ends and the status hook gets the reason', async () => {
    h().scaffold.route('/app', [{ verb: 'record', path: 'calls/../../escape.wav' }, { verb: 'pause', length: 5 }])
    const { call, close } = await createCaller(h())
    try {
      const final = await call()
      expect(final).toMatch(/^SIP\/2\.0 [45]\d\d/)
    } finally {
      await close()
    }
    const sid = hookedSid(h())
    const last = await h().scaffold.waitFor((r) => r.path === '/status' && r.body?.call_sid === sid && r.body?.reason !== undefined)
    expect(String(last.body.reason)).toMatch(/LIVECALL_ERR_APP_INVALID.*\.\./)
    expect(existsSync(join(h().recordingsDir, '..', 'escape.wav'))).toBe(false)
    expect(await readdir(h().recordingsDir)).not.toContain('escape.wav')
  }, 40_000)

  it('an absolute path outside RECORDINGS_DIR ends the call with the reason on the status hook', async () => {
    h().scaffold.route('/app', [{ verb: 'record', path: '/tmp/livecall-outside.wav' }, { verb: 'pause', length: 5 }])
    const { phone, peer, close } = await createCaller(h())
    try {
      const final = await phone.invite(peer.offer())
      expect(final).toMatch(/^SIP\/2\.0 200 OK/)
      phone.ack(final)
      await phone.answerBye(15_000)
    } finally {
      await close()
    }
    const sid = hookedSid(h())
    const last = await h().scaffold.waitForStatus('completed', sid)
    expect(String(last.body.reason)).toMatch(/LIVECALL_ERR_APP_INVALID.*outside the recordings directory/)
    expect(existsSync('/tmp/livecall-outside.wav')).toBe(false)
  }, 40_000)
})
