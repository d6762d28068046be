import { base64url } from './base64url.js'

/** base64url(SHA-256(value)): how secrets are keyed in the store, so a store dump reveals no usable token. */
export async function sha256(value: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value))))
}
