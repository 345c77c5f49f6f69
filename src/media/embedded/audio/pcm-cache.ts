/**
 * In-memory LRU of decoded prompts, bounded by bytes of PCM held (not by entry count, so
 * one long file cannot hide behind the bound). `meta` lets a caller store what the
 * entry was decoded from (mtime+size, ETag, …) and decide itself whether it is stale.
 */
export interface PcmCacheEntry<M = unknown> {
  pcm: Int16Array
  meta: M
}

export class PcmCache {
  private readonly entries = new Map<string, PcmCacheEntry>()
  private bytes = 0

  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.entries.size
  }

  get byteSize(): number {
    return this.bytes
  }

  get<M>(key: string): PcmCacheEntry<M> | undefined {
    const e = this.entries.get(key)
    if (!e) return undefined
    this.entries.delete(key) // re-insert: Map order is the recency order
    this.entries.set(key, e)
    return e as PcmCacheEntry<M>
  }

  set<M>(key: string, pcm: Int16Array, meta: M): void {
    this.delete(key)
    if (pcm.byteLength > this.maxBytes) return
    this.entries.set(key, { pcm, meta })
    this.bytes += pcm.byteLength
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.entries.delete(k)
      this.bytes -= e.pcm.byteLength
    }
  }

  delete(key: string): void {
    const e = this.entries.get(key)
    if (!e) return
    this.entries.delete(key)
    this.bytes -= e.pcm.byteLength
  }

  clear(): void {
    this.entries.clear()
    this.bytes = 0
  }
}
