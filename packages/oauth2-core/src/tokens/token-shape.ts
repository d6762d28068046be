import { decodeJwt } from 'jose'

/**
 * The longest token the core looks up; anything longer is no token of ours and is answered as an
 * unusable one (RFC 7009 §2.2, RFC 7662 §2.2 `active: false`, RFC 6750 §3.1 `invalid_token`)
 * without hashing or parsing it.
 */
export const MAX_TOKEN_LENGTH = 8192

/** Whether a presented token is worth looking up at all: a non-empty string within {@link MAX_TOKEN_LENGTH}. */
export function isLookupCandidate(token: unknown): token is string {
  return typeof token === 'string' && token !== '' && token.length <= MAX_TOKEN_LENGTH
}

/**
 * Whether a token has the JWS compact serialization with a decodable payload (RFC 7515 §7.1), so it
 * is checked as a JWT access token (RFC 9068) rather than looked up as an opaque one.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-7.1
 */
export function looksLikeJwt(token: string): boolean {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) return false
  try {
    decodeJwt(token)
    return true
  } catch {
    return false
  }
}
