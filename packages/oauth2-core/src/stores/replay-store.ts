import type { OAuth2Store } from './oauth2-store.js'

/**
 * Remembers one-time values (client-assertion `jti`s, later DPoP proofs) until they expire.
 *
 * `consume` MUST be atomic: of two concurrent calls with the same key, exactly one returns `true`.
 */
export interface ReplayStore {
  /** Records `key` until `expiresAt` (epoch milliseconds); `true` the first time, `false` on a replay. */
  consume(key: string, expiresAt: number): Promise<boolean>
}

/**
 * The in-process {@link ReplayStore}. Expired keys are swept on every 256th call and whenever the map
 * doubles, so memory stays bounded by the number of keys alive at once.
 */
export class MemoryReplayStore implements ReplayStore {
  readonly #entries = new Map<string, number>()
  readonly #now: () => number
  #calls = 0
  #sweepAt = 1024

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now
  }

  consume(key: string, expiresAt: number): Promise<boolean> {
    const now = this.#now()
    if (++this.#calls % 256 === 0 || this.#entries.size >= this.#sweepAt) this.#sweep(now)
    const existing = this.#entries.get(key)
    if (existing !== undefined && existing > now) return Promise.resolve(false)
    this.#entries.set(key, expiresAt)
    return Promise.resolve(true)
  }

  /** Number of keys held (for tests and metrics). */
  get size(): number {
    return this.#entries.size
  }

  #sweep(now: number): void {
    for (const [key, expiresAt] of this.#entries) if (expiresAt <= now) this.#entries.delete(key)
    this.#sweepAt = Math.max(1024, this.#entries.size * 2)
  }
}

/** A {@link ReplayStore} kept in an {@link OAuth2Store} (kind `replay`), so one shared store serves both. */
export function replayStoreFrom(store: OAuth2Store): ReplayStore {
  return { consume: (key, expiresAt) => store.setIfAbsent('replay', key, {}, expiresAt) }
}
