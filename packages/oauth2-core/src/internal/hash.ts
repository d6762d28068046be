import { base64url } from './base64url.js'
import { sha256Digest } from './sha256.js'

/**
 * base64url(SHA-256(value)): how secrets are keyed in the store, so a store dump reveals no usable token.
 * Synchronous (see sha256.ts for why not WebCrypto): a token request computes several.
 */
export function sha256(value: string): string {
  return base64url(sha256Digest(value, DIGEST))
}

/** The digest of the call under way, encoded at once (a store id is no secret: it is what is stored). */
const DIGEST = new Uint8Array(32)
