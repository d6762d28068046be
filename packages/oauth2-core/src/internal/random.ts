import { base64url } from './base64url.js'

/** A cryptographically random, URL-safe token of `bytes` bytes (256 bits by default; RFC 6749 §10.10). */
export function randomToken(bytes = 32): string {
  const buffer = new Uint8Array(bytes)
  crypto.getRandomValues(buffer)
  return base64url(buffer)
}
