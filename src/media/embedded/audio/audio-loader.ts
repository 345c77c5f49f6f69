import { createRequire } from 'node:module'
import { readFile, stat } from 'node:fs/promises'
import { resolve as resolvePath } from 'node:path'
import type { PlaySource } from '../../types.js'
import { badAudio, loaderClosed, notFound } from './audio-errors.js'
import { downmixInterleaved } from './dsp/downmix.js'
import { floatToInt16 } from './dsp/pcm-convert.js'
import { resampleYielding } from './dsp/resample.js'
import { Mp3Decoder } from './mp3-decoder.js'
import { PcmCache } from './pcm-cache.js'
import { formatFromContentType, formatFromName, sniffFormat, type AudioContainer } from './sniff-format.js'
import { generateTone } from './tone-generator.js'
import { EspeakSynthesizer } from './tts/espeak-synthesizer.js'
import { TtsDiskCache } from './tts/tts-disk-cache.js'
import { fetchAudio } from './url-fetcher.js'
import { decodeWav } from './wav-decoder.js'

/** Every prompt comes out at the G.711 rate (RFC 3551 §4.5.14). */
export const PROMPT_SAMPLE_RATE = 8000

export interface AudioLoaderOptions {
  /** where synthesized speech is kept across restarts (`<cacheDir>/tts/*.wav`); memory only without it */
  cacheDir?: string
  /** total deadline of a URL fetch, headers and body; default 10 000 ms */
  fetchTimeoutMs?: number
  /** largest file or URL body accepted; default 50 MB */
  maxBytes?: number
  /** bound of the in-memory cache of decoded prompts, in bytes of PCM; default 64 MB */
  memoryCacheBytes?: number
}

/** Counters, for tests and /metrics. */
export interface AudioLoaderStats {
  /** answered from memory (file/url/say) */
  memoryHits: number
  /** say answered from the disk cache */
  diskHits: number
  /** file/url bodies decoded */
  decoded: number
  /** url bodies downloaded (200) */
  fetched: number
  /** url revalidations answered 304 */
  notModified: number
  /** prompts synthesized by the TTS engine */
  synthesized: number
  /** disk-cache writes that failed (the prompt still played) */
  diskWriteFailures: number
}

const DEFAULTS = { fetchTimeoutMs: 10_000, maxBytes: 50 * 1024 * 1024, memoryCacheBytes: 64 * 1024 * 1024 }
const DEFAULT_VOICE = 'en-us'
const MAX_SAY_CHARS = 5000
const MAX_SILENCE_MS = 10 * 60_000
/** eSpeak NG voice names: language tags and variants such as en-us, en+f3, roa/it */
const VOICE_RE = /^[A-Za-z0-9][A-Za-z0-9_+\-/]{0,39}$/

enum LoaderState {
  Open = 'open',
  Closed = 'closed',
}

interface FileMeta {
  mtimeMs: number
  size: number
}

interface UrlMeta {
  etag?: string
  lastModified?: string
  freshUntil: number
}

/**
 * Turns a PlaySource into the whole prompt as 8 kHz mono int16 PCM, for the pacer to
 * frame and loop (`loop` is not applied here).
 *
 *  - file: WAV (any PCM/float/G.711 variant, any rate and channel count) or MP3, sniffed
 *    from the bytes; cached by absolute path and reloaded when mtime or size change.
 *  - url:  http(s) with timeout and size cap; cached, revalidated with ETag /
 *    Last-Modified (304) or reused for Cache-Control max-age.
 *  - tone, silence: generated (cheap, not cached).
 *  - say:  eSpeak NG in a worker thread; cached by voice+text in memory and in cacheDir.
 *
 * States: Open ──close()──▶ Closed (load() then rejects with LIVECALL_ERR_MEDIA_CLOSED).
 * Concurrent loads of the same file/url/text share one decode. The returned array is
 * shared with the cache and with other callers: treat it as read-only.
 * An aborted `signal` rejects with its reason; work already started still fills the cache.
 */
export class AudioLoader {
  private state: LoaderState = LoaderState.Open
  readonly stats: AudioLoaderStats = {
    memoryHits: 0,
    diskHits: 0,
    decoded: 0,
    fetched: 0,
    notModified: 0,
    synthesized: 0,
    diskWriteFailures: 0,
  }
  private readonly opts: Required<Omit<AudioLoaderOptions, 'cacheDir'>>
  private readonly cache: PcmCache
  private readonly inflight = new Map<string, Promise<Int16Array>>()
  private readonly mp3 = new Mp3Decoder()
  private readonly tts = new EspeakSynthesizer()
  private readonly ttsDisk: TtsDiskCache | undefined

  constructor(opts: AudioLoaderOptions = {}) {
    this.opts = {
      fetchTimeoutMs: opts.fetchTimeoutMs ?? DEFAULTS.fetchTimeoutMs,
      maxBytes: opts.maxBytes ?? DEFAULTS.maxBytes,
      memoryCacheBytes: opts.memoryCacheBytes ?? DEFAULTS.memoryCacheBytes,
    }
    this.cache = new PcmCache(this.opts.memoryCacheBytes)
    this.ttsDisk = opts.cacheDir ? new TtsDiskCache(opts.cacheDir, espeakTag()) : undefined
  }

  load(source: PlaySource, signal?: AbortSignal): Promise<Int16Array> {
    if (this.state === LoaderState.Closed) return Promise.reject(loaderClosed())
    if (signal?.aborted) return Promise.reject(signal.reason)
    let work: Promise<Int16Array>
    try {
      work = this.dispatch(source)
    } catch (err) {
      return Promise.reject(err)
    }
    return signal ? abortable(work, signal) : work
  }

  /** Stops the TTS worker and frees the MP3 decoder; the memory cache is dropped. */
  async close(): Promise<void> {
    if (this.state === LoaderState.Closed) return
    this.state = LoaderState.Closed
    this.cache.clear()
    this.mp3.free()
    await this.tts.close()
  }

  private dispatch(source: PlaySource): Promise<Int16Array> {
    switch (source?.type) {
      case 'silence':
        return Promise.resolve(silence(source.durationMs))
      case 'tone':
        return Promise.resolve(generateTone(source))
      case 'file':
        if (typeof source.path !== 'string' || source.path === '') throw badAudio('file: path is required')
        return this.loadFile(resolvePath(source.path))
      case 'url':
        if (typeof source.url !== 'string') throw badAudio('url: url is required')
        return this.loadUrl(source.url)
      case 'say':
        return this.loadSay(source.text, source.voice ?? DEFAULT_VOICE)
      default:
        throw badAudio(`unknown play source type: ${String((source as { type?: unknown })?.type)}`)
    }
  }

  /** One decode per key at a time: later callers join the first one's promise. */
  private once(key: string, run: () => Promise<Int16Array>): Promise<Int16Array> {
    const running = this.inflight.get(key)
    if (running) return running
    const p = run().finally(() => this.inflight.delete(key))
    this.inflight.set(key, p)
    return p
  }

  private loadFile(path: string): Promise<Int16Array> {
    const key = `file:${path}`
    return this.once(key, async () => {
      let st
      try {
        st = await stat(path)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`file: ${path} does not exist`, err)
        throw badAudio(`file: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, err)
      }
      if (!st.isFile()) throw badAudio(`file: ${path} is not a regular file`)
      const hit = this.cache.get<FileMeta>(key)
      if (hit && hit.meta.mtimeMs === st.mtimeMs && hit.meta.size === st.size) {
        this.stats.memoryHits++
        return hit.pcm
      }
      if (st.size > this.opts.maxBytes) throw badAudio(`file: ${path} is ${st.size} bytes, over the ${this.opts.maxBytes}-byte limit`)
      let bytes: Uint8Array
      try {
        bytes = await readFile(path)
      } catch (err) {
        throw badAudio(`file: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, err)
      }
      const pcm = await this.decode(bytes, path, formatFromName(path))
      this.cache.set<FileMeta>(key, pcm, { mtimeMs: st.mtimeMs, size: st.size })
      return pcm
    })
  }

  private loadUrl(url: string): Promise<Int16Array> {
    const key = `url:${url}`
    return this.once(key, async () => {
      const hit = this.cache.get<UrlMeta>(key)
      if (hit && Date.now() < hit.meta.freshUntil) {
        this.stats.memoryHits++
        return hit.pcm
      }
      // not tied to one caller's signal: others may be waiting on the same fetch (see abortable)
      const outcome = await fetchAudio(url, {
        timeoutMs: this.opts.fetchTimeoutMs,
        maxBytes: this.opts.maxBytes,
        etag: hit?.meta.etag,
        lastModified: hit?.meta.lastModified,
      })
      if (outcome.kind === 'notModified' && hit) {
        this.stats.notModified++
        this.stats.memoryHits++
        hit.meta.freshUntil = Date.now() + outcome.freshMs
        return hit.pcm
      }
      if (outcome.kind !== 'body') throw badAudio(`url: ${url} answered 304 to an unconditional request`)
      this.stats.fetched++
      const hint = formatFromContentType(outcome.contentType) ?? formatFromName(new URL(url).pathname)
      const pcm = await this.decode(outcome.bytes, url, hint)
      if (outcome.storable) {
        this.cache.set<UrlMeta>(key, pcm, {
          etag: outcome.etag,
          lastModified: outcome.lastModified,
          freshUntil: Date.now() + outcome.freshMs,
        })
      } else this.cache.delete(key)
      return pcm
    })
  }

  private loadSay(text: unknown, voice: unknown): Promise<Int16Array> {
    if (typeof text !== 'string' || text.trim() === '') throw badAudio('say: text is empty')
    if (text.length > MAX_SAY_CHARS) throw badAudio(`say: text is longer than ${MAX_SAY_CHARS} characters`)
    if (typeof voice !== 'string' || !VOICE_RE.test(voice)) throw badAudio(`say: invalid voice name ${JSON.stringify(voice)}`)
    const key = `say:${voice}\0${text}`
    return this.once(key, async () => {
      const hit = this.cache.get(key)
      if (hit) {
        this.stats.memoryHits++
        return hit.pcm
      }
      const fromDisk = await this.ttsDisk?.get(text, voice)
      if (fromDisk) {
        this.stats.diskHits++
        this.cache.set(key, fromDisk, undefined)
        return fromDisk
      }
      const wavBytes = await this.tts.synthesize(text, voice)
      this.stats.synthesized++
      const pcm = await this.decode(wavBytes, 'synthesized speech', 'wav')
      this.cache.set(key, pcm, undefined)
      if (this.ttsDisk && !(await this.ttsDisk.put(text, voice, pcm))) this.stats.diskWriteFailures++
      return pcm
    })
  }

  /** bytes → 8 kHz mono int16, whatever the container, rate and channel count. */
  private async decode(bytes: Uint8Array, name: string, hint: AudioContainer | undefined): Promise<Int16Array> {
    const container = sniffFormat(bytes) ?? hint
    let pcm: Float32Array
    if (container === 'wav') {
      const wav = decodeWav(bytes, name)
      pcm = await resampleYielding(downmixInterleaved(wav.samples, wav.channelCount), wav.sampleRate, PROMPT_SAMPLE_RATE)
    } else if (container === 'mp3') {
      pcm = await this.mp3.decode(bytes, PROMPT_SAMPLE_RATE, name)
    } else {
      throw badAudio(`${name}: unrecognised audio format (expected WAV or MP3)`)
    }
    this.stats.decoded++
    return floatToInt16(pcm)
  }
}

function silence(durationMs: unknown): Int16Array {
  if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs < 0 || durationMs > MAX_SILENCE_MS) {
    throw badAudio(`silence: durationMs must be between 0 and ${MAX_SILENCE_MS}`)
  }
  return new Int16Array(Math.round((durationMs * PROMPT_SAMPLE_RATE) / 1000))
}

/** Reject as soon as `signal` aborts; the work itself carries on (it may feed the cache). */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (err) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      },
    )
  })
}

/** Cache tag of the speech engine: a new espeak-ng release must not reuse old prompts. */
function espeakTag(): string {
  try {
    const version = (createRequire(import.meta.url)('espeak-ng/package.json') as { version?: string }).version
    return `espeak-ng@${version ?? '?'}`
  } catch {
    return 'espeak-ng@?'
  }
}
