import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { AudioLoader, AUDIO_ERR } from '../../../src/media/embedded/audio/index.js'
import { dominantFrequency, makeWav, sine } from '../../fixtures/audio/audio-test-kit.js'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

let server: Server
let base: string
const routes = new Map<string, Handler>()
const hits = new Map<string, number[]>() // path → statuses answered
let mp3: Buffer
const wav = Buffer.from(makeWav({ rate: 16000, encoding: 'pcm16', seconds: 1, signal: sine(1000) }))
const wav600 = Buffer.from(makeWav({ rate: 16000, encoding: 'pcm16', seconds: 1, signal: sine(600) }))

function route(path: string, handler: Handler): string {
  routes.set(path, handler)
  return `${base}${path}`
}

beforeAll(async () => {
  mp3 = await readFile(fileURLToPath(new URL('../../fixtures/audio/sine1k-stereo-44k.mp3', import.meta.url)))
  server = createServer((req, res) => {
    const path = req.url ?? '/'
    const handler = routes.get(path)
    res.on('finish', () => hits.set(path, [...(hits.get(path) ?? []), res.statusCode]))
    if (!handler) {
      res.writeHead(404).end('not found')
      return
    }
    handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

let loader: AudioLoader
beforeEach(async () => {
  await loader?.close()
  loader = new AudioLoader({ fetchTimeoutMs: 500, maxBytes: 200_000 })
})
afterAll(() => loader.close())

describe('url sources', () => {
  it('a WAV served as audio/wav decodes to 8 kHz', async () => {
    const url = route('/hello.wav', (_req, res) => res.writeHead(200, { 'content-type': 'audio/wav' }).end(wav))
    const pcm = await loader.load({ type: 'url', url })
    expect(pcm.length).toBe(8000)
    expect(dominantFrequency(pcm.subarray(200, 7800), 8000)).toBe(1000)
  })

  it('an MP3 served as application/octet-stream is recognised by its bytes', async () => {
    const url = route('/prompt', (_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(mp3))
    const pcm = await loader.load({ type: 'url', url })
    expect(pcm.length).toBe(8000)
    expect(dominantFrequency(pcm.subarray(400, 7600), 8000)).toBe(1000)
  })

  it('is revalidated with If-None-Match: a 304 reuses the decoded prompt, a new ETag replaces it', async () => {
    let etag = '"v1"'
    let body = wav
    const url = route('/etag.wav', (req, res) => {
      if (req.headers['if-none-match'] === etag) res.writeHead(304, { etag }).end()
      else res.writeHead(200, { 'content-type': 'audio/wav', etag }).end(body)
    })
    const first = await loader.load({ type: 'url', url })
    const second = await loader.load({ type: 'url', url })
    expect(second).toBe(first)
    expect(hits.get('/etag.wav')).toEqual([200, 304])
    expect(loader.stats.notModified).toBe(1)
    etag = '"v2"'
    body = wav600
    const third = await loader.load({ type: 'url', url })
    expect(dominantFrequency(third.subarray(200, 7800), 8000)).toBe(600)
    expect(hits.get('/etag.wav')).toEqual([200, 304, 200])
  })

  it('Cache-Control max-age lets the next load skip the network', async () => {
    const url = route('/max-age.wav', (_req, res) => res.writeHead(200, { 'content-type': 'audio/wav', 'cache-control': 'max-age=60' }).end(wav))
    const a = await loader.load({ type: 'url', url })
    const b = await loader.load({ type: 'url', url })
    expect(b).toBe(a)
    expect(hits.get('/max-age.wav')).toEqual([200])
  })

  it('Cache-Control no-store is fetched every time', async () => {
    const url = route('/no-store.wav', (_req, res) => res.writeHead(200, { 'content-type': 'audio/wav', 'cache-control': 'no-store', etag: '"x"' }).end(wav))
    await loader.load({ type: 'url', url })
    await loader.load({ type: 'url', url })
    expect(hits.get('/no-store.wav')).toEqual([200, 200])
  })

  it('parallel loads of one URL make one request', async () => {
    const url = route('/parallel.wav', (_req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'audio/wav', 'cache-control': 'no-cache' }).end(wav), 50)
    })
    const results = await Promise.all([1, 2, 3, 4].map(() => loader.load({ type: 'url', url })))
    expect(new Set(results).size).toBe(1)
    expect(hits.get('/parallel.wav')).toEqual([200])
  })

  it('follows redirects', async () => {
    route('/target.wav', (_req, res) => res.writeHead(200, { 'content-type': 'audio/wav' }).end(wav))
    const url = route('/moved', (_req, res) => res.writeHead(302, { location: '/target.wav' }).end())
    expect((await loader.load({ type: 'url', url })).length).toBe(8000)
  })
})

describe('url failures', () => {
  const fetchError = { code: AUDIO_ERR.FETCH, status: 502 }

  it('HTTP 404 is LIVECALL_ERR_MEDIA_FETCH (502)', async () => {
    await expect(loader.load({ type: 'url', url: `${base}/missing.wav` })).rejects.toMatchObject({ ...fetchError, message: expect.stringContaining('HTTP 404') })
  })

  it('HTTP 500 is LIVECALL_ERR_MEDIA_FETCH', async () => {
    const url = route('/boom', (_req, res) => res.writeHead(500).end())
    await expect(loader.load({ type: 'url', url })).rejects.toMatchObject(fetchError)
  })

  it('a server that never answers times out after fetchTimeoutMs', async () => {
    const url = route('/hang', () => undefined)
    const started = Date.now()
    await expect(loader.load({ type: 'url', url })).rejects.toMatchObject({ ...fetchError, message: expect.stringContaining('timed out') })
    expect(Date.now() - started).toBeGreaterThanOrEqual(450)
  })

  it('a body that stalls half way times out too', async () => {
    const url = route('/stall.wav', (_req, res) => {
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': String(wav.length) })
      res.write(wav.subarray(0, 1000))
    })
    await expect(loader.load({ type: 'url', url })).rejects.toMatchObject({ ...fetchError, message: expect.stringContaining('timed out') })
  })

  it('a Content-Length over maxBytes is refused', async () => {
    const big = Buffer.alloc(300_000)
    const url = route('/big.wav', (_req, res) => res.writeHead(200, { 'content-type': 'audio/wav' }).end(big))
    await expect(loader.load({ type: 'url', url })).rejects.toMatchObject({ ...fetchError, message: expect.stringContaining('limit') })
  })

  it('a chunked body that grows past maxBytes is cut off', async () => {
    const url = route('/endless', (_req, res) => {
      res.writeHead(200, { 'content-type': 'audio/wav' })
      const timer = setInterval(() => res.write(Buffer.alloc(16_384)), 1)
      res.on('close', () => clearInterval(timer))
    })
    await expect(loader.load({ type: 'url', url })).rejects.toMatchObject({ ...fetchError, message: expect.stringContaining('limit') })
  })

  it('connection refused is LIVECALL_ERR_MEDIA_FETCH', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise((resolve) => probe.close(resolve))
    await expect(loader.load({ type: 'url', url: `http://127.0.0.1:${port}/x.wav` })).rejects.toMatchObject({ ...fetchError, message: expect.stringContaining('ECONNREFUSED') })
  })

  it('a body that is not audio is LIVECALL_ERR_MEDIA_BAD_AUDIO', async () => {
    const url = route('/page.html', (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not audio</html>'))
    await expect(loader.load({ type: 'url', url })).rejects.toMatchObject({ code: AUDIO_ERR.BAD_AUDIO, status: 422 })
  })

  it('a non-http URL is LIVECALL_ERR_MEDIA_BAD_AUDIO', async () => {
    await expect(loader.load({ type: 'url', url: 'file:///etc/passwd' })).rejects.toMatchObject({ code: AUDIO_ERR.BAD_AUDIO })
    await expect(loader.load({ type: 'url', url: 'not a url' })).rejects.toMatchObject({ code: AUDIO_ERR.BAD_AUDIO })
  })

  it('the caller aborting rejects at once with the AbortError, not a fetch error', async () => {
    const url = route('/slow.wav', (_req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'audio/wav' }).end(wav), 200)
    })
    const ac = new AbortController()
    const p = loader.load({ type: 'url', url }, ac.signal)
    setTimeout(() => ac.abort(), 20)
    await expect(p).rejects.toMatchObject({ name: 'AbortError' })
    // the fetch went on and fed the cache for the next caller
    expect((await loader.load({ type: 'url', url })).length).toBe(8000)
    expect(hits.get('/slow.wav')).toEqual([200])
  })
})
