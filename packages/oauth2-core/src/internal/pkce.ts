import { base64url } from './base64url.js'
import { timingSafeEqual } from './constant-time.js'
import { sha256Digest } from './sha256.js'

/** RFC 7636 §4.1: code_verifier = 43*128 unreserved characters. */
export const CODE_VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/

/** The PKCE challenge methods (RFC 7636 §4.2). */
export type CodeChallengeMethod = 'S256' | 'plain'

/**
 * Checks a `code_verifier` against the stored `code_challenge` (RFC 7636 §4.6), in constant time.
 * A verifier that breaks the §4.1 syntax never matches.
 *
 * Synchronous, as kaapi's is: a kaapi handler that writes `if (!verifyCodeVerifier(...))` without
 * `await` must not read a pending promise as a match (a promise is truthy, TypeScript accepts it).
 * `await verifyCodeVerifier(...)` works all the same.
 */
export function verifyCodeVerifier(verifier: string, challenge: string, method: CodeChallengeMethod = 'S256'): boolean {
  if (typeof verifier !== 'string' || typeof challenge !== 'string' || !CODE_VERIFIER_PATTERN.test(verifier)) return false
  if (method === 'plain') return timingSafeEqual(verifier, challenge)
  if (method !== 'S256') return false
  // The verifier matched the §4.1 pattern, so its UTF-8 bytes are its ASCII bytes (§4.2).
  return timingSafeEqual(base64url(sha256Digest(verifier)), challenge)
}
