/** The kinds of entry the server keeps. A store may keep each kind in its own table or key space. */
export type StoreKind =
  | 'authorization_code'
  | 'device_code'
  | 'user_code'
  | 'refresh_token'
  | 'access_token'
  | 'revoked_grant'
  | 'replay'
  | 'rate_limit'
  | (string & {})

/** One stored entry: a JSON-serializable object. `grantId` ties it to a grant for {@link OAuth2Store.revokeGrant}. */
export interface StoredEntry {
  grantId?: string
  /** Set by {@link OAuth2Store.consume} (epoch ms). */
  consumedAt?: number
  [field: string]: unknown
}

/**
 * Where the server remembers what it issued: codes, device codes, refresh-token families, revoked
 * grants, single-use values. Six primitives, modelled on oidc-provider's adapter, so a Redis or SQL
 * store is a small class; `runStoreContract` (from `@x/oauth2-core/testing`) checks one.
 *
 * Contract:
 * - Entries are JSON-serializable; a store may serialize them. Ids are opaque strings (hashes of the
 *   secrets, never the secrets themselves).
 * - `expiresAt` is epoch milliseconds; an expired entry behaves exactly like a missing one, and the
 *   store must eventually drop it (no unbounded growth).
 * - `consume` and `setIfAbsent` MUST be atomic: of several concurrent calls on one id, exactly one
 *   sees the entry unconsumed (or the id absent). Everything that is single use relies on it.
 */
export interface OAuth2Store {
  /** Saves (or replaces) an entry until `expiresAt`. */
  set(kind: StoreKind, id: string, entry: StoredEntry, expiresAt: number): Promise<void>
  /** Saves an entry only if no live entry has this id; `true` when it was saved. Atomic. */
  setIfAbsent(kind: StoreKind, id: string, entry: StoredEntry, expiresAt: number): Promise<boolean>
  /** The live entry, or `undefined`. */
  get(kind: StoreKind, id: string): Promise<StoredEntry | undefined>
  /**
   * Marks the entry consumed and returns it as it was before: `consumedAt` absent for the one caller
   * that consumed it, present for every later one; `undefined` if there is no live entry. Atomic.
   */
  consume(kind: StoreKind, id: string): Promise<StoredEntry | undefined>
  /** Removes an entry. */
  delete(kind: StoreKind, id: string): Promise<void>
  /** Removes every entry whose `grantId` is `grantId`, of every kind. */
  revokeGrant(grantId: string): Promise<void>
}
