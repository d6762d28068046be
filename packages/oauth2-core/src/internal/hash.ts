import { base64url } from './base64url.js'
import { sha256Digest } from './sha256.js'

/**
 * base64url(SHA-256(value)): how secrets are keyed in the store, so a store dump reveals no usable token.
 * Computed synchronously (see sha256.ts for why not WebCrypto); async so a store-facing caller
 * never depends on that.
 */
export async function sha256(value: string): Promise<string> {
  return base64url(sha256Digest(value))
}
