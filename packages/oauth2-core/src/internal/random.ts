import { base64url } from './base64url.js'

/**
 * Random bytes are drawn from the CSPRNG a pool at a time: each `crypto.getRandomValues` call has
 * a fixed cost (several µs in Node) far above that of the few bytes a token needs, and a token
 * request draws two or three tokens. Every byte is handed out once, then zeroed in the pool. The
 * pool is filled on first use, not at import: some runtimes (Cloudflare Workers) refuse to
 * generate random values outside a request.
 */
const POOL_SIZE = 4096
const pool = new Uint8Array(POOL_SIZE)
let offset = POOL_SIZE

/** A cryptographically random, URL-safe token of `bytes` bytes (256 bits by default; RFC 6749 §10.10). */
export function randomToken(bytes = 32): string {
  if (bytes > POOL_SIZE) return base64url(crypto.getRandomValues(new Uint8Array(bytes)))
  if (offset + bytes > POOL_SIZE) {
    crypto.getRandomValues(pool)
    offset = 0
  }
  const token = base64url(pool, offset, offset + bytes)
  // A loop, not fill(): for a few bytes, fill()'s call into the runtime costs more than the zeroing.
  const end = offset + bytes
  for (let i = offset; i < end; i++) pool[i] = 0
  offset = end
  return token
}
