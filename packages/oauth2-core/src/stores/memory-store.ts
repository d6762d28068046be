import type { ClientMetadata } from '../client-auth/client-metadata.js'
import type { OAuth2Store, StoreKind, StoredEntry } from './oauth2-store.js'

interface Slot {
  /** The table of its kind, and its id there. */
  table: Map<string, Slot>
  id: string
  /** Dropped (`undefined`) once the slot is removed: the expiry queue may still hold the slot. */
  entry: StoredEntry | undefined
  expiresAt: number
}

/** How many expired entries one write reclaims at most: a mass expiry never stalls one request. */
const EXPIRE_PER_WRITE = 1000

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
 * it finds expired). Memory is reclaimed as entries expire: the entries are queued by expiry (a
 * binary heap), and every write first removes the expired ones at the head of the queue, up to
 * 1,000 per write. That costs O(log n) per write at any size (no sweep over all entries), and a
 * mass expiry is reclaimed within a few writes without stalling any of them.
 *
 * @example
 * ```ts
 * const store = new MemoryStore({ clients: [{ client_id: 'app', token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] }] })
 * OIDCAuthorizationCodeBuilder.create().setIssuer('https://as.example.com').setStore(store)
 * ```
 */
export class MemoryStore implements OAuth2Store {
  /**
   * One table per kind, by id: the ids are the keys as they are (a flat string, hashed once), where a
   * key made of kind and id was a new concatenated string on every call, hashed and compared anew.
   */
  readonly #tables = new Map<string, Map<string, Slot>>()
  /** The slots of each grant's entries: one slot alone (most grants, e.g. client_credentials), several as a Set. */
  readonly #grants = new Map<string, Slot | Set<Slot>>()
  /** Every slot written, soonest expiry first (a binary min-heap); removed slots stay until their time. */
  #expiries: Slot[] = []
  /** The queue's length when last compacted (or its highest since): an array never gives memory back. */
  #expiriesHigh = 0
  readonly #now: () => number

  /** Present when the store was given `clients`: looks one up by `client_id` (a copy). */
  readonly findClient?: (clientId: string) => Promise<ClientMetadata | undefined>

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now
    if (options.clients !== undefined) {
      const clients = new Map(options.clients.map((client) => [client.client_id, copyClient(client)]))
      this.findClient = (clientId) => {
        const client = clients.get(clientId)
        return Promise.resolve(client === undefined ? undefined : copyClient(client))
      }
    }
  }

  /** Live and not yet reclaimed entries (for tests and metrics). */
  get size(): number {
    let size = 0
    for (const table of this.#tables.values()) size += table.size
    return size
  }

  // The methods are async but never await: each runs to completion in one turn of the event loop,
  // which is what makes consume and setIfAbsent atomic in this process.

  async set(kind: StoreKind, id: string, entry: StoredEntry, expiresAt: number): Promise<void> {
    this.#write(kind, this.#table(kind), id, entry, expiresAt)
  }

  async setIfAbsent(kind: StoreKind, id: string, entry: StoredEntry, expiresAt: number): Promise<boolean> {
    const table = this.#table(kind)
    if (this.#live(table, id) !== undefined) return false
    this.#write(kind, table, id, entry, expiresAt)
    return true
  }

  async get(kind: StoreKind, id: string): Promise<StoredEntry | undefined> {
    const slot = this.#live(this.#tables.get(kind), id)
    return slot === undefined ? undefined : copyEntry(kind, slot.entry!)
  }

  async consume(kind: StoreKind, id: string): Promise<StoredEntry | undefined> {
    const slot = this.#live(this.#tables.get(kind), id)
    if (slot === undefined) return undefined
    const before = copyEntry(kind, slot.entry!)
    // Only copies ever leave the store, so its own entry can be marked in place.
    if (before.consumedAt === undefined) slot.entry!.consumedAt = this.#now()
    return before
  }

  async delete(kind: StoreKind, id: string): Promise<void> {
    const slot = this.#tables.get(kind)?.get(id)
    if (slot !== undefined) this.#remove(slot)
  }

  async revokeGrant(grantId: string): Promise<void> {
    const slots = this.#grants.get(grantId)
    if (slots instanceof Set) for (const slot of [...slots]) this.#remove(slot)
    else if (slots !== undefined) this.#remove(slots)
    this.#grants.delete(grantId)
    // An entry whose id is its grant's id (a client_credentials token) is found by that id.
    for (const table of this.#tables.values()) {
      const slot = table.get(grantId)
      if (slot !== undefined && slot.entry?.grantId === grantId) this.#remove(slot)
    }
  }

  /** The table of a kind, made on its first write. */
  #table(kind: string): Map<string, Slot> {
    let table = this.#tables.get(kind)
    if (table === undefined) this.#tables.set(kind, (table = new Map()))
    return table
  }

  #live(table: Map<string, Slot> | undefined, id: string): Slot | undefined {
    const slot = table?.get(id)
    if (slot === undefined) return undefined
    if (slot.expiresAt <= this.#now()) {
      this.#remove(slot)
      return undefined
    }
    return slot
  }

  #write(kind: string, table: Map<string, Slot>, id: string, entry: StoredEntry, expiresAt: number): void {
    if (typeof expiresAt !== 'number' || Number.isNaN(expiresAt)) throw new TypeError('MemoryStore: expiresAt must be a number of epoch milliseconds.')
    const stored = copyEntry(kind, entry)
    const grantId = typeof stored.grantId === 'string' ? stored.grantId : undefined
    const slot: Slot = { table, id, entry: stored, expiresAt }
    const replaced = table.get(id)
    if (replaced !== undefined) {
      // An update (a rotated refresh token): the new slot takes the old one's place, in the table
      // and in its grant's index; the old one stays in the expiry queue, which skips it.
      this.#unindex(replaced.entry?.grantId, replaced)
      replaced.entry = undefined
    }
    this.#index(grantId, slot)
    table.set(id, slot)
    pushSlot(this.#expiries, slot)
    if (this.#expiries.length > this.#expiriesHigh) this.#expiriesHigh = this.#expiries.length
    this.#reclaim()
  }

  /** Removes a slot that is in its table (a slot of the expiry queue may have been replaced since). */
  #remove(slot: Slot): void {
    if (slot.table.get(slot.id) !== slot) return
    slot.table.delete(slot.id)
    const grantId = slot.entry?.grantId
    // The expiry queue keeps the slot until its time; it need not keep the entry too.
    slot.entry = undefined
    this.#unindex(grantId, slot)
  }

  /**
   * Records that the slot belongs to the grant (revokeGrant removes it with the rest). An entry
   * keyed by its own grant id needs no index entry: revokeGrant finds it by that id (a grant of one
   * token, such as every client_credentials token, costs no second map entry).
   */
  #index(grantId: string | undefined, slot: Slot): void {
    if (grantId === undefined || grantId === slot.id) return
    const slots = this.#grants.get(grantId)
    if (slots === undefined) this.#grants.set(grantId, slot)
    else if (slots instanceof Set) slots.add(slot)
    else this.#grants.set(grantId, new Set([slots, slot]))
  }

  #unindex(grantId: unknown, slot: Slot): void {
    if (typeof grantId !== 'string' || grantId === slot.id) return
    const slots = this.#grants.get(grantId)
    if (slots === slot) this.#grants.delete(grantId)
    else if (slots instanceof Set) {
      slots.delete(slot)
      if (slots.size === 0) this.#grants.delete(grantId)
    }
  }

  /**
   * Removes the expired slots at the head of the expiry queue. (A sweep over every entry each
   * 1,000 writes did this before: at a million entries that was a thousand visits per write,
   * see bench/RESULTS.md.)
   */
  #reclaim(): void {
    const queue = this.#expiries
    const now = this.#now()
    for (let n = 0; n < EXPIRE_PER_WRITE && queue.length > 0 && queue[0]!.expiresAt <= now; n++) {
      const slot = popSlot(queue)
      // A slot replaced or removed since it was queued is no longer in the map: nothing to do.
      this.#remove(slot)
    }
    // After a mass expiry, a right-sized copy lets the large backing store go.
    if (this.#expiriesHigh > 4096 && queue.length < this.#expiriesHigh >> 2) {
      this.#expiries = queue.slice()
      this.#expiriesHigh = queue.length
    }
  }
}

/** Adds a slot to the min-heap ordered by `expiresAt`. */
function pushSlot(heap: Slot[], slot: Slot): void {
  let i = heap.length
  heap.push(slot)
  while (i > 0) {
    const parent = (i - 1) >> 1
    if (heap[parent]!.expiresAt <= slot.expiresAt) break
    heap[i] = heap[parent]!
    i = parent
  }
  heap[i] = slot
}

/** Takes the slot that expires first out of a non-empty min-heap. */
function popSlot(heap: Slot[]): Slot {
  const top = heap[0]!
  const last = heap.pop()!
  if (heap.length > 0) {
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      if (left >= heap.length) break
      const right = left + 1
      const child = right < heap.length && heap[right]!.expiresAt < heap[left]!.expiresAt ? right : left
      if (heap[child]!.expiresAt >= last.expiresAt) break
      heap[i] = heap[child]!
      i = child
    }
    heap[i] = last
  }
  return top
}

/**
 * Entries are values: callers never share a reference with the store (as with a real database).
 * Entries are JSON data (the OAuth2Store contract), copied here by hand: `structuredClone` costs
 * several µs per call and ran three to five times per token request. Anything that is not plain
 * data (a Date, a Map, ...) still goes through `structuredClone`, so nothing is shared either way.
 */
function copy<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(copy) as T
  if (!isPlainRecord(value)) return structuredClone(value)
  // Object.assign copies the members on its own path, whatever the entry's layout (see copyEntry
  // for the one kind a spread copies faster). Assign would set the prototype for a member named
  // __proto__: such an entry is spread, which defines it as a member.
  return copyMembers(Object.hasOwn(value, '__proto__') ? { ...value } : Object.assign({}, value)) as T
}

/**
 * {@link copy} of a stored entry. An access-token entry (and a client's metadata, {@link copyClient})
 * is spread at a site of its own: V8 then copies it in one step in its own layout, where
 * `Object.assign` defines the members one by one (~1.5k instructions for an access-token entry, a
 * write per client_credentials request). A spread is that fast only at a site that has seen few
 * layouts, each without members stored as doubles: one site shared by every kind of entry was past
 * that, and refresh-token entries, with their epoch-millisecond times (doubles), take V8's slow
 * clone, which costs more than `Object.assign` (bench/RESULTS.md): they, and every other kind, keep it.
 */
function copyEntry(kind: string, entry: StoredEntry): StoredEntry {
  return kind === 'access_token' && isPlainRecord(entry) ? copyMembers({ ...entry }) : copy(entry)
}

/** {@link copy} of a registered client's metadata, at a spread of its own (see {@link copyEntry}). */
function copyClient(client: ClientMetadata): ClientMetadata {
  return isPlainRecord(client) ? copyMembers({ ...client }) : copy(client)
}

/**
 * A plain data object, not an array: its constructor is Object, or it has none (null prototype).
 * Read as a property, not with Object.getPrototypeOf (a runtime call for these objects on every
 * copy); an own member named `constructor` sends the entry to structuredClone, which copies it as well.
 */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const maker = (value as { constructor?: unknown }).constructor
  return maker === Object || maker === undefined
}

/**
 * Replaces, in a fresh top-level copy, every member that is an object or an array by a copy of its
 * own. A `for...in` loop, not `Object.keys`: V8 reads each member of a `for...in` by its position in
 * the object's layout, where `members[key]` over a list of keys is a generic lookup per member
 * (~5k instructions per rotating refresh). Inherited members are skipped.
 */
function copyMembers<T extends object>(result: T): T {
  const members = result as Record<string, unknown>
  for (const key in members) {
    const item = members[key]
    if (typeof item !== 'object' || item === null || !Object.hasOwn(members, key)) continue
    // A JSON member named __proto__ stays a member (assigning it would set the prototype).
    if (key === '__proto__') Object.defineProperty(members, key, { value: copy(item), enumerable: true, writable: true, configurable: true })
    else members[key] = copy(item)
  }
  return result
}
