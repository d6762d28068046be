import type { ClientMetadata } from '../client-auth/client-metadata.js'
import type { OAuth2Store, StoreKind, StoredEntry } from './oauth2-store.js'

interface Slot {
  entry: StoredEntry
  expiresAt: number
}

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** The clock, epoch milliseconds (default `Date.now`); the provider passes its own. */
  now?: () => number
  /**
   * Registered clients (RFC 7591 §2 metadata) the store serves through `findClient`. Without this
   * option the store has no `findClient`, so a provider without `findClient(fn)` keeps kaapi's
   * behaviour of handing credentials to the handlers unverified.
   */
  clients?: readonly ClientMetadata[]
}

/**
 * The embedded {@link OAuth2Store}: maps in this process. Correct under concurrent requests in one
 * process (every operation runs to completion synchronously before its promise settles, so no two
 * interleave: of two concurrent `consume` calls, exactly one sees the entry unconsumed), not shared
 * between processes: run one instance, or give several a shared store.
 *
 * Expiry: an expired entry is invisible at once (every read checks `expiresAt`, and drops the entry
 * it finds expired); memory is reclaimed by a sweep over all entries that runs every 1,000 writes
 * and whenever the number of entries reaches twice what the last sweep left (at least 1,024), so
 * the maps never hold much more than twice the live entries.
 *
 * @example
 * ```ts
 * const store = new MemoryStore({ clients: [{ client_id: 'app', token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] }] })
 * OIDCAuthorizationCodeBuilder.create().setIssuer('https://as.example.com').setStore(store)
 * ```
 */
export class MemoryStore implements OAuth2Store {
  readonly #slots = new Map<string, Slot>()
  readonly #grants = new Map<string, Set<string>>()
  readonly #now: () => number
  #writes = 0
  #sweepAt = 1024

  /** Present when the store was given `clients`: looks one up by `client_id` (a copy). */
  readonly findClient?: (clientId: string) => Promise<ClientMetadata | undefined>

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now
    if (options.clients !== undefined) {
      const clients = new Map(options.clients.map((client) => [client.client_id, structuredClone(client)]))
      this.findClient = (clientId) => {
        const client = clients.get(clientId)
        return Promise.resolve(client === undefined ? undefined : structuredClone(client))
      }
    }
  }

  /** Live and not yet swept entries (for tests and metrics). */
  get size(): number {
    return this.#slots.size
  }

  // The methods are async but never await: each runs to completion in one turn of the event loop,
  // which is what makes consume and setIfAbsent atomic in this process.

  async set(kind: StoreKind, id: string, entry: StoredEntry, expiresAt: number): Promise<void> {
    this.#write(key(kind, id), entry, expiresAt)
  }

  async setIfAbsent(kind: StoreKind, id: string, entry: StoredEntry, expiresAt: number): Promise<boolean> {
    const k = key(kind, id)
    if (this.#live(k) !== undefined) return false
    this.#write(k, entry, expiresAt)
    return true
  }

  async get(kind: StoreKind, id: string): Promise<StoredEntry | undefined> {
    const slot = this.#live(key(kind, id))
    return slot === undefined ? undefined : copy(slot.entry)
  }

  async consume(kind: StoreKind, id: string): Promise<StoredEntry | undefined> {
    const slot = this.#live(key(kind, id))
    if (slot === undefined) return undefined
    const before = copy(slot.entry)
    if (slot.entry.consumedAt === undefined) slot.entry = { ...slot.entry, consumedAt: this.#now() }
    return before
  }

  async delete(kind: StoreKind, id: string): Promise<void> {
    this.#remove(key(kind, id))
  }

  async revokeGrant(grantId: string): Promise<void> {
    const keys = this.#grants.get(grantId)
    if (keys !== undefined) for (const k of [...keys]) this.#remove(k)
    this.#grants.delete(grantId)
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
    if (typeof expiresAt !== 'number' || Number.isNaN(expiresAt)) throw new TypeError('MemoryStore: expiresAt must be a number of epoch milliseconds.')
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
