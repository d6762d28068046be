const encoder = new TextEncoder()
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * base64url without padding (RFC 4648 §5) of bytes or of a string's UTF-8 encoding. Encoded
 * straight from the alphabet: it runs several times per token request, and `btoa` needs a binary
 * string first and three replacements after.
 */
export function base64url(input: Uint8Array | string): string {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input
  const n = bytes.length
  let out = ''
  let i = 0
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out += ALPHABET[v >>> 18]! + ALPHABET[(v >>> 12) & 63]! + ALPHABET[(v >>> 6) & 63]! + ALPHABET[v & 63]!
  }
  if (i + 1 === n) {
    const v = bytes[i]! << 16
    out += ALPHABET[v >>> 18]! + ALPHABET[(v >>> 12) & 63]!
  } else if (i + 2 === n) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    out += ALPHABET[v >>> 18]! + ALPHABET[(v >>> 12) & 63]! + ALPHABET[(v >>> 6) & 63]!
  }
  return out
}
