const encoder = new TextEncoder()
const decoder = new TextDecoder()
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0))
/** The encoded characters of one call, as ASCII bytes (grown when an input needs more). */
let scratch = new Uint8Array(256)
/** Views of `scratch` by length: the usual lengths (a token, a digest) reuse theirs instead of a new view each call. */
let views: Uint8Array[] = []

/**
 * base64url without padding (RFC 4648 §5) of bytes (`bytes[start..end)`, all of them by default) or
 * of a string's UTF-8 encoding. Encoded from
 * the alphabet into a reused byte buffer, then read as one ASCII string: it runs several times per
 * token request, and both `btoa` (a binary string first, three replacements after) and building
 * the string by concatenation (~700 bytes of intermediate strings per token) cost more.
 */
export function base64url(input: Uint8Array | string, start = 0, end?: number): string {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input
  const n = end ?? bytes.length
  const length = Math.ceil(((n - start) * 4) / 3)
  if (scratch.length < length) {
    scratch = new Uint8Array(length)
    views = []
  }
  const out = scratch
  let j = 0
  let i = start
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out[j++] = CODES[v >>> 18]!
    out[j++] = CODES[(v >>> 12) & 63]!
    out[j++] = CODES[(v >>> 6) & 63]!
    out[j++] = CODES[v & 63]!
  }
  if (i + 1 === n) {
    const v = bytes[i]! << 16
    out[j++] = CODES[v >>> 18]!
    out[j++] = CODES[(v >>> 12) & 63]!
  } else if (i + 2 === n) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    out[j++] = CODES[v >>> 18]!
    out[j++] = CODES[(v >>> 12) & 63]!
    out[j++] = CODES[(v >>> 6) & 63]!
  }
  return decoder.decode(views[j] ??= out.subarray(0, j))
}
