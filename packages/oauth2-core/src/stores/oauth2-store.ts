import type { ClientMetadata } from '../client-auth/client-metadata.js'

/**
 * The kinds of entry the server keeps. A store may keep each kind in its own table or key space;
 * the same id under two kinds names two different entries.
 *
 * - `authorization_code`: an issued code until it is redeemed (RFC 6749 §4.1.2), consumed once.
 * - `device_code`, `user_code`: a device authorization and its state (RFC 8628 §3.2, §3.3).
 * - `refresh_token`: one refresh token of a family; rotated ones stay, consumed, for reuse detection.
 * - `access_token`: every access token the core issued (opaque ones by the token, JWTs by `jti`);
 *   revocation deletes the entry, and a token without one is inactive.
 * - `revoked_grant`: a marker, keyed by grant id, left while the grant's tokens could still be alive.
 * - `replay`: single-use values (client-assertion `jti`s; DPoP proof `jti`s belong here too), via `setIfAbsent`.
 * - `rate_limit`: counters such as device-flow polling.
 */
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
 * grants, single-use values, and optionally the registered clients. Six primitives, modelled on
 * oidc-provider's adapter, so a Redis or SQL store is a small class; `runStoreContract` (from
 * `@x/oauth2-core/testing`) checks one. `docs/storage.md` walks through writing one.
 *
 * Contract:
 * - Entries are JSON-serializable; a store may serialize them, and must return values, never a
 *   reference a caller could change the store through. Ids are opaque strings: hashes of the
 *   secrets (base64url SHA-256), never the secrets themselves.
 * - `expiresAt` is epoch milliseconds; an entry whose `expiresAt` is not in the future behaves
 *   exactly like a missing one, and the store must eventually drop it (no unbounded growth).
 * - `consume` and `setIfAbsent` MUST be atomic (linearizable): of several concurrent calls on one
 *   id, exactly one sees the entry unconsumed (or the id absent). Single-use codes, refresh-token
 *   rotation and replay detection rely on it.
 * - `revokeGrant` removes every entry carrying that `grantId`, whatever its kind; entries written
 *   afterwards are kept (the core leaves a `revoked_grant` marker for what must stay refused).
 * - The other operations need no more than read-your-writes consistency within one request.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
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
   * The entry keeps its expiry and stays readable (with `consumedAt`) until then.
   */
  consume(kind: StoreKind, id: string): Promise<StoredEntry | undefined>
  /** Removes an entry (nothing happens if there is none). */
  delete(kind: StoreKind, id: string): Promise<void>
  /** Removes every entry whose `grantId` is `grantId`, of every kind. */
  revokeGrant(grantId: string): Promise<void>
  /**
   * Optional: the registered clients (RFC 7591 §2 metadata), for a store that keeps them. The
   * builder's `findClient(fn)` wins when both are given; a provider without either runs without a
   * client lookup (credentials reach handlers unverified, and the core's default handlers refuse
   * confidential clients).
   *
   * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
   */
  findClient?(clientId: string): Promise<ClientMetadata | undefined>
}
