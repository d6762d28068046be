import { OAuth2Error } from '../errors/oauth2-error.js'
import { timingSafeEqual } from '../internal/constant-time.js'
import type { ClientMetadata } from './client-metadata.js'

/**
 * Checks a presented secret against the registered one in constant time (RFC 6749 §10.3), then
 * refuses an expired secret (RFC 7591 §3.2.1 `client_secret_expires_at`). In that order: only the
 * secret's holder learns that it expired; anyone else reads what an unknown client reads.
 */
export function verifySharedSecret(client: ClientMetadata, presented: string, now: number): void {
  if (!timingSafeEqual(presented, registeredSecret(client))) {
    throw new OAuth2Error('invalid_client', 'Client authentication failed.', { detail: 'client secret mismatch' })
  }
  refuseExpiredSecret(client, now)
}

/** The client's registered secret; `invalid_client` when it has none. */
export function registeredSecret(client: ClientMetadata): string {
  const secret = client.client_secret
  if (typeof secret !== 'string' || secret === '') {
    throw new OAuth2Error('invalid_client', 'Client authentication failed.', { detail: 'the client has no secret' })
  }
  return secret
}

/** RFC 7591 §3.2.1: a secret past `client_secret_expires_at` (0: never) no longer authenticates. Call once the secret is proven. */
export function refuseExpiredSecret(client: ClientMetadata, now: number): void {
  const expiresAt = client.client_secret_expires_at
  if (typeof expiresAt === 'number' && expiresAt > 0 && expiresAt * 1000 <= now) {
    throw new OAuth2Error('invalid_client', 'The client secret has expired.')
  }
}
