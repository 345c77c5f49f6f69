import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useLivecall } from '../../support/livecall-harness.js'
import { toneRatio } from '../../support/rtp-peer.js'
import { hangUpBoth, startBridge, update } from '../../support/control-call.js'
import { A_TONE, B_TONE } from '../../support/parties.js'

/** A PCM16 WAV's sample rate and its channels' samples. */
function readWav(buf: Buffer): { rate: number; channels: Int16Array[] } {
  expect(buf.toString('ascii', 0, 4)).toBe('RIFF')
  expect(buf.toString('ascii', 8, 12)).toBe('WAVE')
  let o = 12
  let rate = 0
  let nch = 0
  let bits = 0
  while (o + 8 <= buf.length) {
    const id = buf.toString('ascii', o, o + 4)
    const size = buf.readUInt32LE(o + 4)
    if (id === 'fmt ') {
      nch = buf.readUInt16LE(o + 10)
      rate = buf.readUInt32LE(o + 12)
      bits = buf.readUInt16LE(o + 22)
    } else if (id === 'data') {
      expect(bits).toBe(16)
      const frames = Math.floor(Math.min(size, buf.length - o - 8) / (2 * nch))
      const channels = Array.from({ length: nch }, () => new Int16Array(frames))
      for (let i = 0; i < frames; i++) for (let c = 0; c < nch; c++) channels[c][i] = buf.readInt16LE(o + 8 + (i * nch + c) * 2)
      return { rate, channels }
    }
    o += 8 + size + (size & 1)
  }
  throw new Error('no data chunk')
}

/** the share of `samples`' power at `freq` */
const share = (samples: Int16Array, rate: number, freq: number): number => toneRatio(samples, freq, rate)

describe('live call control: record and sip_request', () => {
  const h = useLivecall()

  it('record start / pause / resume / stop: a WAV of the call in RECORDINGS_DIR, announced to the status hook', async () => {
    const x = await startBridge(h())
    try {
      const started = await update(h(), x.sid, { record: { action: 'start', format: 'wav' } })
      expect(started.status).toBe(200)
      const path = started.body.recording.path as string
      expect(dirname(resolve(path))).toBe(resolve(h().recordingsDir))
      const again = await update(h(), x.sid, { record: { action: 'start' } })
      expect(again.status).toBe(409)
      await x.peer.waitFor(() => x.peer.audio().length > 0 && x.peer.sent > 0, 5000) // media flows
      const sent0 = x.peer.sent
      await x.peer.waitFor(() => x.peer.sent >= sent0 + 50, 10_000, '1 s of call')
      expect((await update(h(), x.sid, { record: { action: 'pause' } })).status).toBe(204)
      expect((await update(h(), x.sid, { record: { action: 'resume' } })).status).toBe(204)
      const sent1 = x.peer.sent
      await x.peer.waitFor(() => x.peer.sent >= sent1 + 25, 10_000, '0.5 s of call')
      const stopped = await update(h(), x.sid, { record: { action: 'stop' } })
      expect(stopped.status).toBe(200)
      expect(stopped.body.recording).toMatchObject({ path })
      expect(stopped.body.recording.duration_ms).toBeGreaterThan(500)

      const hook = await h().scaffold.waitFor((r) => r.path === '/status' && r.body?.recording?.path === path, 10_000, 'recording status callback')
      expect(hook.body).toMatchObject({ call_sid: x.sid, recording: { path, duration_ms: stopped.body.recording.duration_ms } })

      const wav = readWav(await readFile(path))
      const all = wav.channels
      // both parties are in the file: the caller's 700 Hz and the callee's 1200 Hz
      expect(Math.max(...all.map((c) => share(c, wav.rate, A_TONE)))).toBeGreaterThan(0.2)
      expect(Math.max(...all.map((c) => share(c, wav.rate, B_TONE)))).toBeGreaterThan(0.2)
      await hangUpBoth(x)
    } finally {
      await x.end()
    }
  }, 60_000)

  it('record stop (or pause) without a running recording is 409; a bad action is 400; format mp3 gives an MP3 file', async () => {
    const x = await startBridge(h())
    try {
      const stop = await update(h(), x.sid, { record: { action: 'stop' } })
      expect(stop.status).toBe(409)
      expect(stop.body.error.code).toBe('LIVECALL_ERR_CALL_STATE')
      expect(stop.body.error.message).toMatch(/recording/)
      expect((await update(h(), x.sid, { record: { action: 'pause' } })).status).toBe(409)
      const bad = await update(h(), x.sid, { record: { action: 'rewind' } })
      expect(bad.status).toBe(400)
      expect(bad.body.error.message).toMatch(/record.action/)
      const badFormat = await update(h(), x.sid, { record: { action: 'start', format: 'ogg' } })
      expect(badFormat.status).toBe(400)
      expect(badFormat.body.error.message).toMatch(/record.format/)

      const mp3 = await update(h(), x.sid, { record: { action: 'start', format: 'mp3' } })
      expect(mp3.status).toBe(200)
      expect(mp3.body.recording.path).toMatch(/\.mp3$/)
      const sent0 = x.peer.sent
      await x.peer.waitFor(() => x.peer.sent >= sent0 + 50, 10_000, '1 s of call')
      const done = await update(h(), x.sid, { record: { action: 'stop' } })
      expect(done.body.recording.path).toBe(mp3.body.recording.path)
      const file = await readFile(done.body.recording.path as string)
      // an ID3 tag or an MPEG audio frame sync (11 set bits)
      expect(file.toString('ascii', 0, 3) === 'ID3' || (file[0] === 0xff && (file[1] & 0xe0) === 0xe0)).toBe(true)
      await hangUpBoth(x)
    } finally {
      await x.end()
    }
  }, 60_000)

  it('sip_request INFO to the callee and to the caller: each receives it with the headers and body; the API answers with their status', async () => {
    const x = await startBridge(h())
    try {
      const toCallee = await update(h(), x.child, {
        sip_request: { method: 'INFO', headers: { 'X-Reason': 'supervisor', 'Content-Type': 'application/json' }, body: '{"event":"wrap-up"}' },
      })
      expect(toCallee.status).toBe(200)
      expect(toCallee.body).toEqual({ sip_status: 200, sip_reason: 'OK' })
      const info = await x.callee.waitFor((m) => m.startsWith('INFO '), 5000, 'INFO at the callee')
      expect(info).toMatch(/^X-Reason: supervisor\r$/m)
      expect(info).toMatch(/^Content-Type: application\/json\r$/im)
      expect(info.split('\r\n\r\n')[1]).toBe('{"event":"wrap-up"}')

      const toCaller = await update(h(), x.sid, { sip_request: { method: 'INFO', headers: { 'X-Note': 'hello' }, body: 'plain words' } })
      expect(toCaller.body).toEqual({ sip_status: 200, sip_reason: 'OK' })
      const infoA = await x.phone.waitFor((m) => m.startsWith('INFO '), 5000, 'INFO at the caller')
      expect(infoA).toMatch(/^X-Note: hello\r$/m)
      expect(infoA).toMatch(/^Content-Type: text\/plain\r$/im)
      expect(infoA.split('\r\n\r\n')[1]).toBe('plain words')
      await hangUpBoth(x)
    } finally {
      await x.end()
    }
  }, 60_000)
})
