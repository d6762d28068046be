import type { OAuth2Store, StoreKind, StoredEntry } from './oauth2-store.js'

interface Slot {
  entry: StoredEntry
  expiresAt: number
}

/**
 * The embedded {@link OAuth2Store}: maps in this process. Correct under concurrent requests in one
 * process (every operation completes synchronously, so none interleaves with another), not shared
 * between processes: run one instance, or give several a shared store.
 *
 * Expiry: an expired entry is invisible at once; memory is reclaimed by a sweep that runs every
 * 1,000 writes and whenever the number of entries doubles since the last sweep, so the map never
 * holds much more than twice the live entries.
 */
export class MemoryStore implements OAuth2Store {
  readonly #slots = new Map<string, Slot>()
  readonly #grants = new Map<string, Set<string>>()
  readonly #now: () => number
  #writes = 0
  #sweepAt = 1024

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now
  }

  /** Live and not yet swept entries (for tests and metrics). */
  get size(): number {
    return this.#slots.size
  }

  set(kind: StoreKind, id: string, entry: StoredEntry, expiresAt: number): Promise<void> {
    this.#write(key(kind, id), entry, expiresAt)
    return Promise.resolve()
  }

  setIfAbsent(kind: StoreKind, id: string, entry: StoredEntry, expiresAt: number): Promise<boolean> {
    const k = key(kind, id)
    if (this.#live(k) !== undefined) return Promise.resolve(false)
    this.#write(k, entry, expiresAt)
    return Promise.resolve(true)
  }

  get(kind: StoreKind, id: string): Promise<StoredEntry | undefined> {
    const slot = this.#live(key(kind, id))
    return Promise.resolve(slot === undefined ? undefined : copy(slot.entry))
  }

  consume(kind: StoreKind, id: string): Promise<StoredEntry | undefined> {
    const slot = this.#live(key(kind, id))
    if (slot === undefined) return Promise.resolve(undefined)
    const before = copy(slot.entry)
    if (slot.entry.consumedAt === undefined) slot.entry = { ...slot.entry, consumedAt: this.#now() }
    return Promise.resolve(before)
  }

  delete(kind: StoreKind, id: string): Promise<void> {
    this.#remove(key(kind, id))
    return Promise.resolve()
  }

  revokeGrant(grantId: string): Promise<void> {
    const keys = this.#grants.get(grantId)
    if (keys !== undefined) for (const k of [...keys]) this.#remove(k)
    this.#grants.delete(grantId)
    return Promise.resolve()
  }

  #live(k: string): Slot | undefined {
    const slot = this.#slots.get(k)
    if (slot === undefined) return undefined
    if (slot.expiresAt <= this.#now()) {
      this.#remove(k)
      return undefined
    }
    return slot
  }

  #write(k: string, entry: StoredEntry, expiresAt: number): void {
    this.#remove(k)
    const stored = copy(entry)
    this.#slots.set(k, { entry: stored, expiresAt })
    if (typeof stored.grantId === 'string') {
      let keys = this.#grants.get(stored.grantId)
      if (keys === undefined) this.#grants.set(stored.grantId, (keys = new Set()))
      keys.add(k)
    }
    if (++this.#writes % 1000 === 0 || this.#slots.size >= this.#sweepAt) this.#sweep()
  }

  #remove(k: string): void {
    const slot = this.#slots.get(k)
    if (slot === undefined) return
    this.#slots.delete(k)
    const grantId = slot.entry.grantId
    if (typeof grantId === 'string') {
      const keys = this.#grants.get(grantId)
      keys?.delete(k)
      if (keys?.size === 0) this.#grants.delete(grantId)
    }
  }

  #sweep(): void {
    const now = this.#now()
    for (const [k, slot] of this.#slots) if (slot.expiresAt <= now) this.#remove(k)
    this.#sweepAt = Math.max(1024, this.#slots.size * 2)
  }
}

function key(kind: StoreKind, id: string): string {
  return `${kind}\u0000${id}`
}

/** Entries are values: callers never share a reference with the store (as with a real database). */
function copy(entry: StoredEntry): StoredEntry {
  return structuredClone(entry)
}
