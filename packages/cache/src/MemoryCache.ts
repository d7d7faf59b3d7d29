/**
 * The in-process layer of the cache (L1): entries by key, bounded by count and by bytes, the least recently used
 * evicted first (a `Map` keeps insertion order: a hit moves its entry to the end). An entry is fresh until
 * `freshUntil`, then may stand in (stale) until `keptUntil`, and is dropped after; every read also checks that none
 * of the entry's tags was invalidated since it was stored (see `TagVersions.ts`). Plain synchronous code: a hit
 * costs a map lookup and a comparison per tag.
 */

/** One cached answer. */
export interface Entry<A> {
  readonly value: A
  /** Its size as JSON text, counted against the byte bound. */
  readonly bytes: number
  /** Epoch milliseconds. */
  readonly storedAt: number
  readonly freshUntil: number
  readonly keptUntil: number
  /** The tag keys it depends on, and their versions when it was stored. */
  readonly tags: ReadonlyArray<string>
  readonly versions: ReadonlyArray<number>
}

/** The bounds of the layer. */
export interface Bounds {
  readonly maxEntries: number
  readonly maxBytes: number
}

/** The in-process cache. */
export interface MemoryCache<A> {
  readonly get: (key: string) => Entry<A> | undefined
  readonly set: (key: string, entry: Entry<A>) => void
  readonly delete: (key: string) => void
  readonly clear: (keep?: (key: string) => boolean) => void
  readonly size: () => number
  readonly bytes: () => number
}

/** Makes the layer; `onEvict` hears of every entry dropped for room (not of those dropped as expired). */
export const make = <A>(bounds: Bounds, onEvict: (count: number) => void = () => undefined): MemoryCache<A> => {
  const entries = new Map<string, Entry<A>>()
  let bytes = 0
  const drop = (key: string) => {
    const entry = entries.get(key)
    if (entry === undefined) return
    entries.delete(key)
    bytes -= entry.bytes
  }
  return {
    get: (key) => {
      const entry = entries.get(key)
      if (entry === undefined) return undefined
      entries.delete(key)
      entries.set(key, entry)
      return entry
    },
    set: (key, entry) => {
      drop(key)
      if (entry.bytes > bounds.maxBytes) return
      entries.set(key, entry)
      bytes += entry.bytes
      let evicted = 0
      for (const oldest of entries.keys()) {
        if (entries.size <= bounds.maxEntries && bytes <= bounds.maxBytes) break
        drop(oldest)
        evicted++
      }
      if (evicted > 0) onEvict(evicted)
    },
    delete: drop,
    clear: (keep) => {
      for (const key of [...entries.keys()]) if (keep === undefined || !keep(key)) drop(key)
    },
    size: () => entries.size,
    bytes: () => bytes
  }
}
