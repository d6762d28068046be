import { OAuth2Error } from '../errors/oauth2-error.js'
import { timingSafeEqual } from '../internal/constant-time.js'
import type { ClientMetadata } from './client-metadata.js'

/**
 * Checks a presented secret against the registered one in constant time (RFC 6749 §10.3)
 * and refuses an expired secret (RFC 7591 §3.2.1 `client_secret_expires_at`).
 */
export function verifySharedSecret(client: ClientMetadata, presented: string, now: number): void {
  const expected = usableSecret(client, now)
  if (!timingSafeEqual(presented, expected)) {
    throw new OAuth2Error('invalid_client', 'Client authentication failed.', { detail: 'client secret mismatch' })
  }
}

/** The client's registered secret, if it is still valid. */
export function usableSecret(client: ClientMetadata, now: number): string {
  const secret = client.client_secret
  if (typeof secret !== 'string' || secret === '') {
    throw new OAuth2Error('invalid_client', 'Client authentication failed.', { detail: 'the client has no secret' })
  }
  const expiresAt = client.client_secret_expires_at
  if (typeof expiresAt === 'number' && expiresAt > 0 && expiresAt * 1000 <= now) {
    throw new OAuth2Error('invalid_client', 'The client secret has expired.')
  }
  return secret
}
